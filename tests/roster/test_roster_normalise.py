import datetime

import pytest

from pamong_edx.roster.normalise import cell_text, clean_text, is_valid_email, normalise_email, normalise_phone


@pytest.mark.parametrize("typed, clean", [
    ("Siti Rahayu", "Siti Rahayu"),
    ("  Siti   Rahayu\u00a0", "Siti Rahayu"),
    ("Siti\tRahayu\n", "Siti Rahayu"),
    ("\u200bSiti Rahayu", "Siti Rahayu"),
    ("Ni Made Su\u0301ari", "Ni Made S\u00faari"),  # decomposed accent -> NFC
])
def test_clean_text(typed, clean):
    assert clean_text(typed) == clean


def test_email_is_trimmed_and_lower_cased():
    assert normalise_email(" Siti.Rahayu@Desa.Example.ID ") == "siti.rahayu@desa.example.id"


@pytest.mark.parametrize("email, valid", [
    ("siti.rahayu@desa.example.id", True),
    ("o'neil+lms@desa.id", True),
    ("siti.rahayu at desa.example.id", False),
    ("siti@desa", False),
    ("siti..rahayu@desa.id", False),
    ("siti@@desa.id", False),
    ("", False),
])
def test_email_validity(email, valid):
    assert is_valid_email(email) is valid


@pytest.mark.parametrize("typed, phone", [
    ("081234567890", "6281234567890"),
    ("0812-3456-7890", "6281234567890"),
    ("+62 812 3456 7890", "6281234567890"),
    ("0062812345678", "62812345678"),
    ("6281234567890", "6281234567890"),
    ("81234567890", "6281234567890"),  # a number cell that lost its leading 0
    ("(021) 555-1234", "62215551234"),
    ("12345", None),
    ("8.12346E+10", None),
])
def test_phone_numbers_become_62(typed, phone):
    assert normalise_phone(typed) == phone


@pytest.mark.parametrize("value, text", [
    ("0812", "0812"),
    (81234567890.0, "81234567890"),
    (3201012345678901.0, "3201012345678901"),
    (8.5, "8.5"),
    (True, "TRUE"),
    (datetime.date(2025, 1, 31), "2025-01-31"),
    (None, ""),
])
def test_spreadsheet_cells_become_text_unchanged(value, text):
    assert cell_text(value) == text
