"""Table-driven tests of the pure validation rules."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from employees import validators as v


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("11010519491231002X", True),  # the standard's worked example
        ("11010519491231002x", True),  # lower-case x is accepted and normalised
        (" 110105 19491231 002X ", True),
        ("110105194912310021", False),  # wrong check character
        ("11010519491231002", False),  # 17 characters
        ("11010519491231002XX", False),
        ("99010519491231002X", False),  # unknown region
        ("110105194902300026", False),  # 30 February
        ("", False),
        ("ABCDEFGHIJKLMNOPQR", False),
    ],
)
def test_national_id(value, ok):
    if ok:
        assert v.validate_national_id(value) == "11010519491231002X"
    else:
        with pytest.raises(ValidationError):
            v.validate_national_id(value)


def test_id_check_character_examples():
    assert v.id_check_character("11010519491231002") == "X"
    assert v.id_check_character("44030519900101123") == "X"  # sum 200, 200 mod 11 = 2
    assert v.id_check_character("11010119900307447") == "7"  # sum 214, 214 mod 11 = 5


def test_id_derived_birth_date_and_gender():
    assert v.birth_date_from_id("11010519491231002X") == date(1949, 12, 31)
    assert v.gender_from_id("11010519491231002X") == "female"  # 17th digit 2 is even


def test_id_must_match_birth_date_and_gender():
    v.validate_id_matches("11010519491231002X", date(1949, 12, 31), "female")
    with pytest.raises(ValidationError) as exc:
        v.validate_id_matches("11010519491231002X", date(1950, 1, 1), "male")
    assert set(exc.value.error_dict) == {"birth_date", "gender"}


@pytest.mark.parametrize(
    ("value", "ok"),
    [("13812345678", True), ("+86 138 1234 5678", True), ("12812345678", False), ("1381234567", False), ("abc", False)],
)
def test_mobile(value, ok):
    if ok:
        assert v.validate_mobile(value) == "13812345678"
    else:
        with pytest.raises(ValidationError):
            v.validate_mobile(value)


@pytest.mark.parametrize(("value", "ok"), [("6222021234567890123", True), ("1234567", False), ("6222abc", False)])
def test_bank_account(value, ok):
    if ok:
        v.validate_bank_account(value)
    else:
        with pytest.raises(ValidationError):
            v.validate_bank_account(value)


@pytest.mark.parametrize(
    ("birth", "hire", "ok"),
    [
        (date(2000, 6, 1), date(2016, 6, 1), True),  # 16 on the day
        (date(2000, 6, 2), date(2016, 6, 1), False),  # one day short of 16
        (date(1990, 1, 1), None, True),
        (date(2030, 1, 1), None, False),  # future
    ],
)
def test_working_age(birth, hire, ok):
    today = date(2026, 11, 24)
    if ok:
        v.validate_working_age(birth, hire, today)
    else:
        with pytest.raises(ValidationError):
            v.validate_working_age(birth, hire, today)


@pytest.mark.parametrize(
    ("employee", "manager", "chain", "loop"),
    [
        (1, 2, {2: None}, False),
        (1, 1, {}, True),
        (1, 2, {2: 1}, True),  # A manages B manages A
        (1, 2, {2: 3, 3: 4, 4: 1}, True),  # a longer loop
        (1, 2, {2: 3, 3: 4, 4: None}, False),
        (None, 2, {2: 3}, False),  # a new employee cannot close a loop
        (1, None, {}, False),
    ],
)
def test_manager_loop(employee, manager, chain, loop):
    assert v.find_manager_loop(employee, manager, chain) is loop
