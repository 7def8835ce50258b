"""Region cohorts as Moodle system cohorts, shared by every course that groups by the same region.

The engine names a cohort ("18.71 Kota Bandar Lampung"); on Moodle it is a system-context cohort whose ID
number is the profile's prefix and that name (`pamong:18.71 Kota Bandar Lampung`; a name too long for the
100-character column gets a hash instead), so the toolkit finds its own cohorts whatever an administrator
renames them to, and creates each once for all courses. Membership follows the official's region: joining a
region's cohort leaves the cohort of the region they moved from.
"""

from __future__ import annotations

import hashlib
import re
import threading

from pamong_edx.lms.errors import InvalidInput, NotFound, ServerError
from pamong_edx.lms.moodle import wire
from pamong_edx.lms.moodle.client import WsClient
from pamong_edx.lms.moodle.settings import MoodleSettings
from pamong_edx.lms.protocol import Cohort

MAX_IDNUMBER = 100
SEARCH_PAGE = 500
HASHED = re.compile(r"^#[0-9a-f]{16}$")
MEMBER = re.compile(r"\b(id|username)=([^\s)]+)\)?(?: not exists)?$")


class Cohorts:
    def __init__(self, ws: WsClient, settings: MoodleSettings) -> None:
        self.ws = ws
        self.settings = settings
        self._lock = threading.Lock()
        self._by_name: dict[str, Cohort] | None = None

    def idnumber(self, name: str) -> str:
        candidate = self.settings.cohort_prefix + name
        if len(candidate) <= MAX_IDNUMBER:
            return candidate
        return self.settings.cohort_prefix + "#" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]

    def _name_of(self, record: dict) -> str:
        idnumber = str(record.get("idnumber") or "")
        tail = idnumber[len(self.settings.cohort_prefix):]
        if idnumber == self.idnumber(str(record.get("name", ""))) or HASHED.match(tail):
            return str(record.get("name", ""))
        return tail  # renamed on the site: the ID number still says which cohort it is

    def list(self, refresh: bool = False) -> list[Cohort]:
        with self._lock:
            if self._by_name is not None and not refresh:
                return list(self._by_name.values())
        found: dict[str, Cohort] = {}
        start = 0
        while True:
            answer = self.ws.call("core_cohort_search_cohorts", {
                "query": self.settings.cohort_prefix, "context": {"contextlevel": "system", "instanceid": 0},
                "includes": "all", "limitfrom": start, "limitnum": SEARCH_PAGE}, idempotent=True)
            records = answer.get("cohorts", []) if isinstance(answer, dict) else []
            for record in records:
                if str(record.get("idnumber") or "").startswith(self.settings.cohort_prefix):
                    name = self._name_of(record)
                    found[name] = Cohort(int(record["id"]), name)
            if len(records) < SEARCH_PAGE:
                break
            start += SEARCH_PAGE
        with self._lock:
            self._by_name = found
        return list(found.values())

    def find(self, name: str) -> Cohort | None:
        with self._lock:
            cached = self._by_name.get(name) if self._by_name is not None else None
        if cached is not None:
            return cached
        return next((c for c in self.list(refresh=True) if c.name == name), None)

    def ensure(self, name: str) -> Cohort:
        # The cohorts listed this session are enough to decide: if another run made it since, the unique ID number
        # makes Moodle refuse the copy, and the list read again then finds it.
        with self._lock:
            listed = self._by_name
        existing = listed.get(name) if listed is not None else self.find(name)
        if existing is not None:
            return existing
        record = {"categorytype": {"type": "system", "value": ""}, "name": name, "idnumber": self.idnumber(name),
                  "description": "Officials of this region, kept by pamong-edx.", "visible": True}
        try:
            answer = self.ws.call("core_cohort_create_cohorts", {"cohorts": [record]}, idempotent=False)
        except (InvalidInput, ServerError) as exc:
            # Made by another run, or made just now and the answer lost: the ID number tells.
            if isinstance(exc, ServerError) and not exc.maybe_applied:
                raise
            again = next((c for c in self.list(refresh=True) if c.name == name), None)
            if again is None:
                raise
            return again
        cohort = Cohort(int(answer[0]["id"]), name)
        with self._lock:
            if self._by_name is not None:
                self._by_name[name] = cohort
        return cohort

    def add(self, cohort_id: int, user_ids: list[int]) -> tuple[set[int], set[int], set[int]]:
        """Add users; (added, already members, unknown to Moodle), matched from the warnings' messages."""
        present: set[int] = set()
        unknown: set[int] = set()
        for batch in wire.batches(user_ids, budget=self.settings.field_budget, most=self.settings.batch_size * 4,
                                  encode=lambda u: {"cohorttype": {"type": "id", "value": 0},
                                                    "usertype": {"type": "id", "value": u}}):
            members = [{"cohorttype": {"type": "id", "value": cohort_id}, "usertype": {"type": "id", "value": u}}
                       for u in batch]
            answer = self.ws.call("core_cohort_add_cohort_members", {"members": members}, idempotent=True)
            for warning in answer.get("warnings", []) if isinstance(answer, dict) else []:
                match = MEMBER.search(str(warning.get("message", "")))
                if not match or match.group(1) != "id" or not match.group(2).isdigit():
                    continue
                user = int(match.group(2))
                if str(warning.get("warningcode")) == "3":
                    present.add(user)
                elif str(warning.get("warningcode")) == "2" and "user" in str(warning.get("message")):
                    unknown.add(user)
        added = set(user_ids) - present - unknown
        return added, present, unknown

    def remove(self, pairs: list[tuple[int, int]]) -> None:
        """Take users out of cohorts: (cohort id, user id) pairs. One transaction per call, so a cohort deleted
        on the site meanwhile is dropped from the list and the call made again."""
        if not pairs:
            return
        for batch in wire.batches(pairs, budget=self.settings.field_budget, most=self.settings.batch_size * 4,
                                  encode=lambda p: {"cohortid": p[0], "userid": p[1]}):
            members = [{"cohortid": c, "userid": u} for c, u in batch]
            try:
                self.ws.call("core_cohort_delete_cohort_members", {"members": members}, idempotent=True)
            except NotFound:
                alive = {c.id for c in self.list(refresh=True)}
                members = [m for m in members if m["cohortid"] in alive]
                if members:
                    self.ws.call("core_cohort_delete_cohort_members", {"members": members}, idempotent=True)
