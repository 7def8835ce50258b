"""Moodle usernames and names made from a roster row, the same every time.

Username: the email itself, lower-cased, when Moodle would keep it as it is (PARAM_USERNAME keeps a-z, 0-9 and
`- . _ @`); otherwise the cleaned email followed by `-` and six hex digits of its SHA-256, so two emails that
clean to the same text never share a username. Moodle refuses a username it would have to change, so the
toolkit never sends one. Usernames are at most 100 characters (Moodle's column). The NIK is never part of it.

Names: Moodle needs a first and a last name. The last word of the roster's name is the last name and the rest
the first name; a one-word name (common in Indonesia) is the first name, with "-" as the last name.
"""

from __future__ import annotations

import hashlib
import re

MAX_USERNAME = 100
NOT_USERNAME = re.compile(r"[^-.@_a-z0-9]")
SINGLE_NAME_LASTNAME = "-"


def clean_username(text: str) -> str:
    """Moodle's clean_param(PARAM_USERNAME) with extendedusernamechars off."""
    return NOT_USERNAME.sub("", text.strip().lower().replace(" ", ""))


def username_for(email: str) -> str:
    email = email.strip().lower()
    cleaned = clean_username(email)
    if cleaned == email and 0 < len(email) <= MAX_USERNAME:
        return email
    digest = hashlib.sha256(email.encode("utf-8")).hexdigest()[:6]
    return f"{cleaned[:MAX_USERNAME - 7]}-{digest}"


def split_name(name: str) -> tuple[str, str]:
    words = name.split()
    if not words:
        return "", ""
    if len(words) == 1:
        return words[0], SINGLE_NAME_LASTNAME
    return " ".join(words[:-1]), words[-1]
