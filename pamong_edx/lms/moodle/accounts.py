"""Moodle accounts for officials: found by email (then by username), created when missing, region kept current.

Moodle cannot enrol an email that has no account, so every official gets one before any enrolment:

1. look up by email (`core_user_get_users_by_field`, as many emails per call as max_input_vars allows);
2. create the missing ones (`core_user_create_users`) in batches that fill max_input_vars. A batch runs in one
   transaction, so one bad record rolls back all of it. A refused batch's usernames are looked up once: an
   account under the username the toolkit gives an email, whose email differs only in letter case (a database
   that compares emails exactly misses it), is adopted instead of created. Then the batch is split in halves
   until the bad record is alone, and only that record fails, with the reason Moodle gives (or, when the site
   hides it, what a lookup finds: the username or the email already taken);
3. write the region to the custom profile fields and to institution/department/city, and update them when an
   official's region changed (`core_user_update_users`, each user on their own; a refusal is a warning).

Nothing about a person is sent twice in one session: what was ensured is remembered (the user id and a hash of
the fields written, so that memory stays small at national scale), and two workers never create the same
account at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pamong_edx.i18n import _
from pamong_edx.lms.errors import InvalidInput, LmsError, PermissionDenied, ServerError
from pamong_edx.lms.moodle import wire
from pamong_edx.lms.moodle.client import WsClient
from pamong_edx.lms.moodle.names import split_name, username_for
from pamong_edx.lms.moodle.settings import DEFAULT_AUTH, MoodleSettings
from pamong_edx.lms.protocol import Person
from pamong_edx.regions.codes import region_type

PROFILE_FIELDS_PAGE = "Site administration > Users > Accounts > User profile fields"
GIVE_UP_AFTER = 5  # unexplained refusals in a row before the cause is taken to be the site's
USER = {"id": int, "username?": str, "email?": str, "fullname?": str, "suspended?": bool,
        "customfields?": [{"shortname?": str, "value?": object}]}
USERS = [USER]
UPDATE_WARNINGS = (None, {"warnings?": [{"itemid?": int, "warningcode?": (str, int), "message?": str}]})


@dataclass(slots=True)
class AccountState:
    email: str
    user_id: int | None = None
    username: str = ""
    created: bool = False  # created by this call
    updated: bool = False  # region written by this call
    failure: str = ""  # why there is no account to enrol
    permanent: bool = False  # Moodle would refuse it again
    note: str = ""  # the account is usable, but something is worth saying

    @property
    def ok(self) -> bool:
        return self.user_id is not None


def user_key(user: dict) -> str:
    return str(user.get("email") or "").strip().lower()


class Accounts:
    def __init__(self, ws: WsClient, settings: MoodleSettings) -> None:
        self.ws = ws
        self.settings = settings
        self._lock = threading.Lock()
        self._ids: dict[str, int] = {}  # email -> user id, from any lookup or creation
        self._ensured: dict[str, int] = {}  # email -> hash of the fields this session wrote or found there
        self._claims: dict[str, threading.Event] = {}  # emails a worker is ensuring right now
        self._fields_checked = False
        self._unexplained = 0  # refusals in a row that no lookup explains

    # ------------------------------------------------------------------ what an account should hold

    def places(self, person: Person) -> dict[str, str]:
        names = list(person.places) + [""] * (4 - len(person.places))
        kind = region_type(person.region, names[3]) if person.region.count(".") == 3 else "desa"
        return {"kode": person.region, "provinsi": names[0], "kabupaten": names[1], "kecamatan": names[2],
                "desa": names[3], "jenis_desa": kind.title(), "jabatan": person.position,
                "kode_wilayah": person.region}

    def desired(self, person: Person) -> dict[str, Any]:
        """The fields the toolkit owns on an official's account, by Moodle name (customfields by short name)."""
        values = self.places(person)
        out: dict[str, Any] = {}
        for field, template in self.settings.user_fields.items():
            if template:
                out[field] = " ".join(template.format(**values).split())
        if self.settings.country:
            out["country"] = self.settings.country
        custom = {short: values[key] for key, short in self.settings.profile_fields.items() if short and values[key]}
        nik_field = self.settings.nik_field
        if nik_field and person.nik:  # only when the profile maps it
            if nik_field == "idnumber":
                out["idnumber"] = person.nik
            else:
                custom[nik_field] = person.nik
        out["customfields"] = custom
        return out

    def new_record(self, person: Person, desired: dict[str, Any]) -> dict[str, Any]:
        first, last = split_name(person.name)
        record: dict[str, Any] = {"username": username_for(person.email), "firstname": first, "lastname": last,
                                  "email": person.email.strip().lower()}
        if self.settings.auth != DEFAULT_AUTH:  # Moodle's own default: a field saved for more accounts per call
            record["auth"] = self.settings.auth
        if self.settings.password_by_moodle:
            record["createpassword"] = True
        record.update({k: v for k, v in desired.items() if k != "customfields"})
        record["customfields"] = [{"type": k, "value": v} for k, v in desired["customfields"].items()]
        return record

    @staticmethod
    def differs(user: dict, desired: dict[str, Any]) -> bool:
        have = {f["shortname"]: str(f.get("value") or "") for f in user.get("customfields") or []}
        if any(have.get(k, "") != v for k, v in desired["customfields"].items()):
            return True
        return any(str(user.get(k) or "") != v for k, v in desired.items() if k != "customfields")

    # ------------------------------------------------------------------ lookups

    def lookup(self, field: str, values: Iterable[str]) -> list[dict]:
        values = list(dict.fromkeys(v for v in values if v))
        found: list[dict] = []
        budget = self.settings.field_budget - 1  # the `field` parameter takes one
        for batch in wire.batches(values, budget=budget, most=len(values), encode=lambda v: ""):
            found += self.ws.call("core_user_get_users_by_field", {"field": field, "values": batch}, idempotent=True,
                                  shape=USERS)
        with self._lock:
            for user in found:
                if user_key(user):
                    self._ids.setdefault(user_key(user), user["id"])
        return found

    def ids_for(self, emails: Iterable[str]) -> dict[str, int]:
        """User ids of these emails, looking up the ones this session has not met (no account: absent)."""
        emails = [e.strip().lower() for e in emails]
        with self._lock:
            missing = [e for e in emails if e not in self._ids]
        if missing:
            self.lookup("email", missing)
            with self._lock:
                still = [e for e in missing if e not in self._ids]
            if still:
                self._adopt_by_username(still)
        with self._lock:
            return {e: self._ids[e] for e in emails if e in self._ids}

    def _adopt_by_username(self, emails: list[str]) -> dict[str, dict]:
        """Accounts under the username the toolkit gives these emails (their email differs only in case)."""
        wanted = {username_for(e): e for e in emails}
        adopted = {}
        for user in self.lookup("username", wanted):
            email = wanted.get(str(user.get("username")))
            if email and user_key(user) == email:
                adopted[email] = user
                with self._lock:
                    self._ids[email] = user["id"]
        return adopted

    # ------------------------------------------------------------------ ensure

    def ensure(self, people: list[Person]) -> dict[str, AccountState]:
        """An AccountState per email of `people` (duplicates count once)."""
        wanted: dict[str, tuple[Person, dict]] = {}
        for person in people:
            email = person.email.strip().lower()
            if email not in wanted:
                wanted[email] = (person, self.desired(person))
        mine: list[str] = []
        waits: list[threading.Event] = []
        out: dict[str, AccountState] = {}
        with self._lock:
            for email, (_, desired) in wanted.items():
                if self._ensured.get(email) == _fingerprint(desired):  # done by an earlier call
                    out[email] = AccountState(email, self._ids[email])
                elif email in self._claims:
                    waits.append(self._claims[email])
                else:
                    self._claims[email] = threading.Event()
                    mine.append(email)
        try:
            if mine:
                states = self._ensure({e: wanted[e] for e in mine})
                with self._lock:
                    for email, state in states.items():
                        if state.ok:
                            self._ids[email] = state.user_id
                            self._ensured[email] = _fingerprint(wanted[email][1])
                out.update(states)
        finally:
            with self._lock:
                for email in mine:
                    self._claims.pop(email).set()
        for event in waits:
            event.wait()
        for email in wanted:
            if email not in out:  # another worker ensured it meanwhile
                with self._lock:
                    user_id = self._ids.get(email) if email in self._ensured else None
                out[email] = AccountState(email, user_id) if user_id is not None else AccountState(
                    email, failure=_("the account could not be made (see the other course's row of this official)"))
        return out

    def _ensure(self, wanted: dict[str, tuple[Person, dict]]) -> dict[str, AccountState]:
        states: dict[str, AccountState] = {}
        existing: dict[str, dict] = {}
        for user in self.lookup("email", wanted):
            email = user_key(user)
            if email in wanted and (email not in existing or user.get("username") == username_for(email)):
                existing[email] = user  # two accounts with one email: the one with the toolkit's username wins
        to_create: list[tuple[Person, dict]] = []
        for email, (person, desired) in wanted.items():
            if email in existing:
                continue
            if not person.name.strip():
                states[email] = AccountState(email, failure="the roster row has no name to create the Moodle "
                                                            "account with", permanent=True)
                continue
            to_create.append((person, self.new_record(person, desired)))
        if to_create:
            created, adopted = self._create(to_create, wanted)
            states.update(created)
            existing.update(adopted)
        to_update = []
        for email, user in existing.items():
            person, desired = wanted[email]
            state = AccountState(email, user["id"], str(user.get("username") or ""))
            states[email] = state
            if self.differs(user, desired):
                to_update.append((state, self._update_record(user["id"], desired)))
        if to_update:
            self._update(to_update)
        return states

    def _update_record(self, user_id: int, desired: dict[str, Any]) -> dict[str, Any]:
        record = {"id": user_id, **{k: v for k, v in desired.items() if k != "customfields"}}
        record["customfields"] = [{"type": k, "value": v} for k, v in desired["customfields"].items()]
        return record

    # ------------------------------------------------------------------ create, halving on refusal

    def _create(self, records: list[tuple[Person, dict]], wanted: dict[str, tuple[Person, dict]]
                ) -> tuple[dict[str, AccountState], dict[str, dict]]:
        """(the accounts made, the accounts found under the toolkit's username instead: email -> user)."""
        states: dict[str, AccountState] = {}
        adopted: dict[str, dict] = {}
        budget, most = self.settings.field_budget, self.settings.batch_size
        for batch in wire.batches(records, budget=budget, most=most, encode=lambda r: r[1]):
            self._create_batch(batch, wanted, states, adopted)
        return states, adopted

    def _create_batch(self, batch: list[tuple[Person, dict]], wanted: dict, states: dict[str, AccountState],
                      adopted: dict[str, dict], probed: bool = False) -> None:
        try:
            answer = self.ws.call("core_user_create_users", {"users": [r for _, r in batch]}, idempotent=False,
                                  shape=[{"id": int, "username": str}])
        except InvalidInput as exc:
            if not probed:  # the whole batch was rolled back: first, is one of its usernames taken by the same person?
                found = self._adopt_by_username([record["email"] for _, record in batch])
                adopted.update(found)
                rest = [item for item in batch if item[1]["email"] not in found]
                if found:
                    if rest:
                        self._create_batch(rest, wanted, states, adopted, probed=True)
                    return
            if len(batch) > 1:  # halve it to find the record Moodle refuses
                middle = len(batch) // 2
                self._create_batch(batch[:middle], wanted, states, adopted, probed=True)
                self._create_batch(batch[middle:], wanted, states, adopted, probed=True)
                return
            self._refused(batch[0], exc, wanted, states)
            return
        except ServerError as exc:
            if not exc.maybe_applied:
                raise
            # The answer was lost: the batch may have been created. Adopt what exists, leave the rest to a retry.
            found = {str(u.get("username")): u for u in self.lookup("username", [r["username"] for _, r in batch])}
            for _, record in batch:
                user = found.get(record["username"])
                if user is not None and user_key(user) == record["email"]:
                    self._made(record, user["id"], wanted, states)
            if any(r["username"] not in found for _, r in batch):
                raise
            return
        if len(answer) != len(batch):
            raise LmsError(_("core_user_create_users: Moodle created {made} of {sent} accounts sent: PHP may have "
                             "dropped fields past max_input_vars; set max_input_vars in the profile's moodle table to "
                             "the site's value").format(made=len(answer), sent=len(batch)))
        ids = {u["username"]: u["id"] for u in answer}
        if any(record["username"] not in ids for _, record in batch):
            raise LmsError(_("core_user_create_users: Moodle's answer does not name the accounts sent"))
        for _, record in batch:
            self._made(record, ids[record["username"]], wanted, states)
        self._unexplained = 0
        if not self._fields_checked:
            self._check_profile_fields(batch[0][1])

    def _made(self, record: dict, user_id: int, wanted: dict, states: dict[str, AccountState]) -> None:
        email = record["email"]
        with self._lock:
            self._ids[email] = user_id
        states[email] = AccountState(email, user_id, record["username"], created=True)

    def _refused(self, item: tuple[Person, dict], exc: InvalidInput, wanted: dict,
                 states: dict[str, AccountState]) -> None:
        person, record = item
        email = record["email"]
        taken = self._lookup_quietly("username", [record["username"]])
        if taken and user_key(taken[0]) == email:  # made meanwhile (a lost answer, another run): it is ours
            self._made(record, taken[0]["id"], wanted, states)
            return
        reason = exc.debuginfo or exc.platform_message or str(exc)
        clues = []
        if taken:
            clues.append(f"the username {record['username']} belongs to another account ({taken[0].get('email', '?')})")
        same = self._same_email(email)
        if same is not None:
            clues.append(f"Moodle already has an account with this email as '{same.get('email')}' (username "
                         f"'{same.get('username')}'); merge the two or give this official another email")
        detail = "; ".join(clues) if clues else "turn on debugging on the site to see which value it refuses"
        states[email] = AccountState(email, failure=f"Moodle refused to create the account: {reason}; {detail}",
                                     permanent=True)
        if clues:
            return
        self._unexplained += 1
        if self._unexplained >= GIVE_UP_AFTER:
            raise LmsError(f"core_user_create_users: Moodle refused {GIVE_UP_AFTER} accounts in a row for no reason a "
                           f"lookup can find ({reason}), so the cause is the site's or the profile's rather than the "
                           f"rows': check that the auth method '{self.settings.auth}' is enabled on the site, and the "
                           "profile's field settings")

    def _lookup_quietly(self, field: str, values: list[str]) -> list[dict]:
        try:
            return self.lookup(field, values)
        except (PermissionDenied, InvalidInput):
            return []

    def _same_email(self, email: str) -> dict | None:
        """An account whose email equals this one but for letter case (core_user_get_users compares with LIKE)."""
        try:
            answer = self.ws.call("core_user_get_users", {"criteria": [{"key": "email", "value": email}]},
                                  idempotent=True, shape={"users?": USERS})
        except (PermissionDenied, InvalidInput):
            return None  # the function is optional: without it the reason stays shorter
        for user in answer.get("users") or []:
            if user_key(user) == email:
                return user
        return None

    def _check_profile_fields(self, record: dict) -> None:
        """After the first accounts are made, read one back: Moodle silently drops values for short names it lacks."""
        self._fields_checked = True
        sent = {f["type"] for f in record.get("customfields", [])}
        if not sent:
            return
        users = self.lookup("username", [record["username"]])
        have = {f.get("shortname") for f in users[0].get("customfields") or []} if users else set()
        lost = sorted(sent - have)
        if lost:
            raise LmsError(
                f"Moodle kept no value for the profile field(s) {', '.join(lost)}: the site has no user profile "
                f"field with that short name, or the web-service user cannot see it. Add them ({PROFILE_FIELDS_PAGE}, "
                "type Text input), or name the site's fields in the profile's moodle table "
                "(profile_fields = {kode_wilayah = \"...\"}); the accounts already made are completed on the next run")

    # ------------------------------------------------------------------ update

    def _update(self, items: list[tuple[AccountState, dict]]) -> None:
        budget, most = self.settings.field_budget, self.settings.batch_size
        for batch in wire.batches(items, budget=budget, most=most, encode=lambda i: i[1]):
            answer = self.ws.call("core_user_update_users", {"users": [r for _, r in batch]}, idempotent=True,
                                  shape=UPDATE_WARNINGS)
            refused = {}
            for warning in (answer or {}).get("warnings") or []:
                refused[warning.get("itemid") or 0] = f"{warning.get('message')} [{warning.get('warningcode')}]"
            for state, record in batch:
                if record["id"] in refused:
                    state.note = f"Moodle did not update the region on the account: {refused[record['id']]}"
                else:
                    state.updated = True


def _fingerprint(desired: dict[str, Any]) -> int:
    """A hash of the fields, enough to tell within a session whether an account was already made to hold them."""
    custom = tuple(sorted(desired["customfields"].items()))
    return hash(tuple(sorted((k, v) for k, v in desired.items() if k != "customfields")) + custom)
