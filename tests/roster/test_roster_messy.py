"""The shared make_roster tool damages a fraction of rows; its damage draws from a separate random stream, so
the clean roster of the same seed says exactly which rows are damaged and how. Every damaged row must get
the diagnostics its damage calls for, and no other row any diagnostic."""

import csv
from collections import Counter

import pytest
from openpyxl import Workbook

from pamong_edx.roster import read_roster
from roster_samples import expected_diagnostics, expected_status, read_dicts


def as_semicolon_cp1252(source, target):
    with open(source, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    with open(target, "w", newline="", encoding="cp1252") as f:
        csv.writer(f, delimiter=";").writerows(rows)
    return target


def as_xlsx(source, target):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Roster")
    sheet.append(["Daftar perangkat desa"])
    with open(source, newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            sheet.append(row)
    book.save(target)
    return target


@pytest.mark.parametrize("form, first_row", [("csv", 2), ("semicolon-cp1252", 2), ("xlsx", 3)])
def test_every_damaged_row_and_only_those_get_the_right_diagnostics(make_roster, regions, tmp_path, form, first_row):
    clean_path = make_roster(rows=3000, seed=11)
    messy_path = make_roster(rows=3000, seed=11, messy=0.3)
    expected = expected_diagnostics(read_dicts(clean_path), read_dicts(messy_path))
    damages = Counter(damage for damage, _ in expected)
    assert len(damages) == 10, damages  # all nine kinds of damage occur, and undamaged rows

    path = {"csv": lambda: messy_path,
            "semicolon-cp1252": lambda: as_semicolon_cp1252(messy_path, tmp_path / "messy.csv"),
            "xlsx": lambda: as_xlsx(messy_path, tmp_path / "messy.xlsx")}[form]()
    checked = list(read_roster(path, regions))
    assert [c.row for c in checked] == list(range(first_row, first_row + 3000))
    for (damage, codes), row in zip(expected, checked, strict=True):
        got = {d.code for d in row.diagnostics}
        assert got == codes, f"row {row.row} ({damage}): expected {sorted(codes)}, got {row.diagnostics}"
        assert row.status == expected_status(codes)  # undamaged rows: ok, bar true duplicates


def test_fixed_damage_leaves_the_same_record_as_the_clean_row(make_roster, regions):
    """Undotted codes, stray spaces and capitals normalise to exactly what the clean roster says."""
    clean_path, messy_path = make_roster(rows=3000, seed=11), make_roster(rows=3000, seed=11, messy=0.3)
    expected = expected_diagnostics(read_dicts(clean_path), read_dicts(messy_path))
    clean = list(read_roster(clean_path, regions))
    messy = list(read_roster(messy_path, regions))
    fixed = Counter()
    for (damage, _), before, after in zip(expected, clean, messy, strict=True):
        if damage in ("none", "undotted code", "stray spaces", "position in capitals"):
            assert after.record == before.record, f"row {after.row} ({damage})"
            fixed[damage] += 1
    assert set(fixed) == {"none", "undotted code", "stray spaces", "position in capitals"}
