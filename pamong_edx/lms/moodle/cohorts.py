"""Region cohorts as Moodle system cohorts, shared by every course that groups by the same region.

The engine names a cohort ("18.71 Kota Bandar Lampung"); on Moodle it is a system-context cohort whose ID
number is the profile's prefix and that name (`pamong:18.71 Kota Bandar Lampung`; a name too long for the
100-character column gets a hash instead), so the toolkit finds its own cohorts whatever an administrator
renames them to, and creates each once for all courses, as many in one request as max_input_vars allows.
Membership follows the official's region: joining a region's cohort leaves the cohort of the region they moved
from.
"""

from __future__ import annotations

import hashlib
import re
import threading

from pamong_edx.i18n import _
from pamong_edx.lms.errors import InvalidInput, NotFound, ServerError
from pamong_edx.lms.moodle import wire
from pamong_edx.lms.moodle.client import WsClient
from pamong_edx.lms.moodle.settings import MoodleSettings
from pamong_edx.lms.protocol import Cohort

MAX_IDNUMBER = 100
SEARCH_PAGE = 500
HASHED = re.compile(r"^#[0-9a-f]{16}$")
MEMBER = re.compile(r"\b(id|username)=([^\s)]+)\)?(?: not exists)?$")
COHORT = {"id": int, "name": str, "idnumber?": str}
SEARCH = {"cohorts?": [COHORT]}
WARNINGS = (None, {"warnings?": [{"warningcode?": (str, int), "message?": str}]})


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
                "includes": "all", "limitfrom": start, "limitnum": SEARCH_PAGE}, idempotent=True, shape=SEARCH)
            records = answer.get("cohorts") or []
            for record in records:
                if str(record.get("idnumber") or "").startswith(self.settings.cohort_prefix):
                    name = self._name_of(record)
                    found[name] = Cohort(record["id"], name)
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
        return self.create([name])[0]

    def _record(self, name: str) -> dict:
        return {"categorytype": {"type": "system", "value": ""}, "name": name, "idnumber": self.idnumber(name),
                "description": "Officials of this region, kept by pamong-edx.", "visible": True}

    def create(self, names: list[str]) -> list[Cohort]:
        """Make system cohorts for these names, as many per request as the field budget allows; in that order."""
        made: dict[str, Cohort] = {}
        unique = list(dict.fromkeys(names))
        for batch in wire.batches(unique, budget=self.settings.field_budget, most=len(unique), encode=self._record):
            self._create(batch, made)
        with self._lock:
            if self._by_name is not None:
                self._by_name.update(made)
        return [made[name] for name in names]

    def _create(self, names: list[str], made: dict[str, Cohort]) -> None:
        try:
            answer = self.ws.call("core_cohort_create_cohorts", {"cohorts": [self._record(n) for n in names]},
                                  idempotent=False, shape=[COHORT])
        except (InvalidInput, ServerError) as exc:
            # One transaction: a cohort made meanwhile by another run (its unique ID number refused), or an answer
            # lost after the call went through. The list read again tells which are there; the rest are tried
            # again, halving until the one Moodle refuses stands alone.
            if isinstance(exc, ServerError) and not exc.maybe_applied:
                raise
            listed = {c.name: c for c in self.list(refresh=True)}
            made.update((n, listed[n]) for n in names if n in listed)
            missing = [n for n in names if n not in listed]
            if not missing:
                return
            if len(names) == 1:
                raise
            middle = max(1, len(missing) // 2)
            for part in (missing[:middle], missing[middle:]):
                if part:
                    self._create(part, made)
            return
        if len(answer) != len(names):
            raise ServerError(_("core_cohort_create_cohorts: Moodle made {made} of the {sent} cohorts sent; PHP may "
                                "have dropped fields past max_input_vars: set max_input_vars in the profile's moodle "
                                "table to the site's value").format(made=len(answer), sent=len(names)),
                              maybe_applied=True)
        for name, record in zip(names, answer):
            made[name] = Cohort(record["id"], name)

    def add(self, pairs: list[tuple[int, int]]) -> tuple[set[int], set[int]]:
        """Put users in cohorts: (cohort id, user id) pairs, each user once. Returns the users who were members
        already and those Moodle does not know, matched from the warnings' messages (they carry no item id)."""
        present: set[int] = set()
        unknown: set[int] = set()

        def member(pair: tuple[int, int]) -> dict:
            return {"cohorttype": {"type": "id", "value": pair[0]}, "usertype": {"type": "id", "value": pair[1]}}

        for batch in wire.batches(pairs, budget=self.settings.field_budget, most=len(pairs), encode=member):
            answer = self.ws.call("core_cohort_add_cohort_members", {"members": [member(p) for p in batch]},
                                  idempotent=True, shape=WARNINGS)
            for warning in (answer or {}).get("warnings") or []:
                match = MEMBER.search(str(warning.get("message", "")))
                if not match or match.group(1) != "id" or not match.group(2).isdigit():
                    continue
                user = int(match.group(2))
                if str(warning.get("warningcode")) == "3":
                    present.add(user)
                elif str(warning.get("warningcode")) == "2" and "user" in str(warning.get("message")):
                    unknown.add(user)
        return present, unknown

    def remove(self, pairs: list[tuple[int, int]]) -> None:
        """Take users out of cohorts: (cohort id, user id) pairs. One transaction per call, so a cohort deleted
        on the site meanwhile is dropped from the list and the call made again."""
        if not pairs:
            return
        for batch in wire.batches(pairs, budget=self.settings.field_budget, most=len(pairs),
                                  encode=lambda p: {"cohortid": p[0], "userid": p[1]}):
            members = [{"cohortid": c, "userid": u} for c, u in batch]
            try:
                self.ws.call("core_cohort_delete_cohort_members", {"members": members}, idempotent=True,
                             shape=(None, object))
            except NotFound:
                alive = {c.id for c in self.list(refresh=True)}
                members = [m for m in members if m["cohortid"] in alive]
                if members:
                    self.ws.call("core_cohort_delete_cohort_members", {"members": members}, idempotent=True,
                                 shape=(None, object))
