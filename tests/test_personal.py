"""NIK masking and control characters in text shown to people (pamong_edx.personal)."""

import random

import pytest

from pamong_edx.personal import mask_niks, may_hold_nik, normalise_digits, safe_message, without_controls


@pytest.mark.parametrize("text, shown", [
    ("3201012345678901", "3201********8901"),
    ("HP: 3201012345678901, WA 081234567890", "HP: 3201********8901, WA 081234567890"),
    ("3201 0123 4567 8901", "3201 **** **** 8901"),
    ("3201.0123.4567.8901", "3201.****.****.8901"),
    ("3201-0123-4567-8901", "3201-****-****-8901"),
    ("\uff13\uff12\uff10\uff11\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10\uff11",
     "\uff13\uff12\uff10\uff11********\uff18\uff19\uff10\uff11"),  # full-width digits
    ("3201012345678901 dan 3201012345678902", "3201********8901 dan 3201********8902"),
    ("nik3201012345678901@desa.id", "nik3201********8901@desa.id"),
])
def test_nik_shaped_numbers_are_masked(text, shown):
    assert mask_niks(text) == shown
    assert may_hold_nik(text)


@pytest.mark.parametrize("text", [
    "320101234567890",        # 15 digits
    "32010123456789012",      # 17 digits: not a NIK, part of a longer number
    "18.71.01.1003",
    "0812-3456-7890",
    "3201 0123-4567 8901",    # mixed separators
    "Siti Rahayu",
    "",
])
def test_other_numbers_are_left_alone(text):
    assert mask_niks(text) == text


def test_the_fast_test_never_misses_a_nik():
    rng = random.Random(5)
    for _ in range(300):
        nik = "".join(rng.choice("0123456789") for _ in range(16))
        sep = rng.choice(["", " ", ".", "-"])
        shape = sep.join(nik[i:i + 4] for i in range(0, 16, 4)) if sep else nik
        text = rng.choice(["", "x", "Nama ", "é "]) + shape + rng.choice(["", " y", "|", "@desa.id"])
        assert may_hold_nik(text), text
        masked = mask_niks(text)
        assert masked.count("*") == 8 and masked.replace("*", "").count(nik[:4]) >= 1, (text, masked)


def test_full_width_and_other_digits_become_ascii():
    assert normalise_digits("\uff13\uff12\uff10\uff11 0123") == "3201 0123"
    assert normalise_digits("\u0663\u0662") == "32"  # Arabic-Indic
    assert normalise_digits("Siti") == "Siti"


def test_messages_escape_control_characters_and_mask_niks():
    assert safe_message("Kades\x1b[31m\x00") == "Kades\\x1b[31m\\x00"
    assert safe_message("a\nb") == "a\\x0ab"
    assert safe_message("HP 3201012345678901") == "HP 3201********8901"
    assert safe_message("André \u202eabc") == "André \\u202eabc"


def test_results_drop_control_characters():
    assert without_controls("Siti\tRahayu\r\nKedaton") == "Siti Rahayu  Kedaton"
    assert without_controls("a\x00b\x1bc\x7fd\x9fe") == "abcde"
    assert without_controls("Ni Luh Ayü") == "Ni Luh Ayü"
    assert without_controls("abc\u202edef") == "abcdef"
