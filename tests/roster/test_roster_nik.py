import pytest

from pamong_edx.roster.nik import clean, excel_damage, mask, structure_problem


def test_mask_keeps_only_the_ends():
    assert mask("3201012345678901") == "3201********8901"
    assert mask("320101234567") == "3201****4567"
    assert mask("3201") == "****"


def test_clean_removes_spaces_and_the_text_apostrophe():
    assert clean("3201 0123 4567 8901") == "3201012345678901"
    assert clean("'3201012345678901") == "3201012345678901"
    assert clean("3201012345678901\u00a0") == "3201012345678901"


@pytest.mark.parametrize("nik", [
    "1871015508850042",  # woman, 15 Aug 1985
    "1871011508850042",  # man
    "1871012902000001",  # 29 February
    "1871017112990001",  # woman born on the 31st
    "1871015508851230",  # merely ends in 0
])
def test_valid_niks(nik):
    assert structure_problem(nik) is None
    assert excel_damage(nik) is None


@pytest.mark.parametrize("nik, problem", [
    ("1871013208850042", "birth-date"),  # day 32
    ("1871010013850042", "birth-date"),  # month 13 / day 0
    ("1871013102850042", "birth-date"),  # 31 February
    ("1871017208850042", "birth-date"),  # day 72 (32 + 40)
    ("1871011508850000", "serial"),
    ("0071011508850042", "region"),
])
def test_invalid_niks_say_which_part_without_digits(nik, problem):
    message = structure_problem(nik)
    assert problem in message
    assert nik[6:12] not in message


@pytest.mark.parametrize("text", ["3.20101E+15", "3,20101E+15", "3.201012345678900e15", "3201012345678900.0",
                                  "3201012345678901,0"])
def test_excel_damage_traces(text):
    assert excel_damage(text)
