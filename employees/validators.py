"""Validation rules for employee data, shared by forms, the Excel import and services.

Pure functions: values in, a translated ValidationError out. The national ID check follows
GB 11643-1999 (17 digits + ISO 7064 MOD 11-2 check character, a valid date of birth, a known
province code).
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ID_SHAPE = re.compile(r"\d{17}[\dX]")  # a normalised national ID number: 17 digits, then a digit or X
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# first two digits of the administrative division code (mainland provinces, HK, Macao, Taiwan)
PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)
MOBILE = re.compile(r"^1[3-9]\d{9}$")
BANK_ACCOUNT = re.compile(r"^\d{8,30}$")
MINIMUM_WORKING_AGE = 16


def normalise_national_id(value: str) -> str:
    return "".join(str(value or "").split()).upper()


def id_check_character(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def validate_national_id(value: str) -> str:
    """Return the normalised ID number or raise ValidationError."""
    v = normalise_national_id(value)
    if not ID_SHAPE.fullmatch(v):
        raise ValidationError(
            _("A national ID number has 18 characters: 17 digits and a final digit or X."), code="format"
        )
    if v[:2] not in PROVINCES:
        raise ValidationError(_("The ID number starts with an unknown region code."), code="region")
    try:
        date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise ValidationError(_("The ID number contains an impossible date of birth."), code="birth_date") from None
    if id_check_character(v[:17]) != v[17]:
        raise ValidationError(
            _("The ID number's check character is wrong; please check for a mistyped digit."), code="checksum"
        )
    return v


def birth_date_from_id(national_id: str) -> date:
    v = normalise_national_id(national_id)
    return date(int(v[6:10]), int(v[10:12]), int(v[12:14]))


def gender_from_id(national_id: str) -> str:
    return "male" if int(normalise_national_id(national_id)[16]) % 2 else "female"


def validate_id_matches(national_id: str, birth_date: date | None, gender: str | None) -> None:
    """The birth date and gender in the ID number must agree with the record."""
    if not national_id:
        return
    errors = {}
    if birth_date and birth_date_from_id(national_id) != birth_date:
        errors["birth_date"] = _("The birth date does not match the one in the ID number (%(date)s).") % {
            "date": birth_date_from_id(national_id).isoformat()
        }
    if gender and gender_from_id(national_id) != gender:
        errors["gender"] = _("The gender does not match the ID number.")
    if errors:
        raise ValidationError(errors)


def validate_mobile(value: str) -> str:
    v = "".join(str(value or "").split()).removeprefix("+86")
    if not MOBILE.fullmatch(v):
        raise ValidationError(_("Enter an 11-digit mainland mobile number, for example 13812345678."), code="mobile")
    return v


def validate_bank_account(value: str) -> str:
    v = "".join(str(value or "").split())
    if not BANK_ACCOUNT.fullmatch(v):
        raise ValidationError(_("A bank account number has 8 to 30 digits."), code="bank_account")
    return v


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def validate_working_age(birth_date: date | None, hire_date: date | None, today: date) -> None:
    """Chinese labour law forbids employing anyone under 16."""
    if birth_date is None:
        return
    if birth_date > today:
        raise ValidationError({"birth_date": _("The birth date is in the future.")})
    on = hire_date or today
    if age_on(birth_date, on) < MINIMUM_WORKING_AGE:
        raise ValidationError(
            {"birth_date": _("The employee would be younger than 16 on the hire date; that is not allowed.")}
        )


def validate_graduation_year(year: int | None, birth_date: date | None, today: date) -> None:
    if year is None:
        return
    if year > today.year + 1:
        raise ValidationError({"graduation_year": _("The graduation year is too far in the future.")})
    if birth_date and year < birth_date.year + 10:
        raise ValidationError({"graduation_year": _("The graduation year is before the person could have graduated.")})


def find_manager_loop(employee_id: int | None, manager_id: int | None, manager_of: dict[int, int | None]) -> bool:
    """True when making `manager_id` the manager of `employee_id` closes a loop. `manager_of`
    maps employee id -> manager id for the current data."""
    if manager_id is None:
        return False
    if employee_id is not None and manager_id == employee_id:
        return True
    seen = set()
    current: int | None = manager_id
    while current is not None and current not in seen:
        if current == employee_id:
            return True
        seen.add(current)
        current = manager_of.get(current)
    return False
