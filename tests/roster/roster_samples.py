"""Roster rows and expectations shared by the roster tests (a module, not a conftest, so tests import it by name)."""

import csv
from pathlib import Path

import pytest

HEADER = ["nik", "nama", "email", "telepon", "jabatan", "kode_desa", "nama_desa"]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# One made-up official, reused by tests that damage one field at a time. The NIK is structurally valid:
# kecamatan 18.71.01, born 15 (+40: a woman) August 1985, serial 0042.
GOOD = ["1871015508850042", "Siti Rahayu", "siti.rahayu@desa.example.id", "081234567890", "Kepala Desa",
        "18.71.01.1003", "Kedaton"]


def good(**changes: str) -> list[str]:
    row = dict(zip(HEADER, GOOD, strict=True))
    row.update(changes)
    return [row[h] for h in HEADER]


def read_dicts(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def expected_diagnostics(clean_rows, messy_rows):
    """(damage, codes) per row, from how each messy row differs from its clean twin."""
    expected = []
    emails, niks = set(), set()
    for clean, messy in zip(clean_rows, messy_rows, strict=True):
        changed = {k for k in clean if clean[k] != messy[k]}
        old, new = (clean[next(iter(changed))], messy[next(iter(changed))]) if len(changed) == 1 else ("", "")
        if not changed:
            damage, codes = "none", set()
        elif changed == {"kode_desa"} and new == old.replace(".", ""):
            damage, codes = "undotted code", set()  # normalisation fixes it
        elif changed == {"kode_desa"} and new == old[:-4] + "9999":
            damage, codes = "village does not exist", {"R101"}
        elif changed == {"email"} and new == old.replace("@", " at "):
            damage, codes = "malformed email", {"R120"}
        elif changed == {"email"} and new == "":
            damage, codes = "missing email", {"R140"}
        elif changed == {"email"} and new == new.upper():
            # Another row's email in capitals: a duplicate only if that email is in the file above
            # (the row it was copied from may itself have been damaged).
            damage, codes = "email of another row", {"R131"} if new.lower() in emails else set()
        elif changed == {"nama"} and new.strip(" \u00a0") == old:
            damage, codes = "stray spaces", set()
        elif changed == {"jabatan"} and new == old.upper():
            damage, codes = "position in capitals", set()
        elif changed == {"nik"} and new == old[:12]:
            damage, codes = "truncated NIK", {"R110"}
        elif changed == {"nama_desa"} and new == old + " Baru":
            damage, codes = "name does not match code", {"R201"}
        else:
            pytest.fail(f"unrecognised damage in {messy}")
        if len(messy["nik"]) == 16 and messy["nik"] in niks:
            codes = codes | {"R130"}  # the tool can draw the same NIK twice: a true duplicate
        niks.add(messy["nik"])
        emails.add(messy["email"].lower())
        expected.append((damage, codes))
    return expected


def expected_status(codes: set[str]) -> str:
    return "ok" if not codes else "warning" if all(c >= "R200" for c in codes) else "error"
