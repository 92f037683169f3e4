"""The offboarding gate also holds on the employee record: while a separation case is open,
HR cannot set the employee to "left" through the employee form or service."""

import pytest
from django.core.exceptions import ValidationError

from employees.services import employee_save

pytestmark = pytest.mark.django_db


def test_left_is_refused_while_a_case_is_open(open_case, english):
    case = open_case()
    leaver = case.leaver
    leaver.status = "left"
    with pytest.raises(ValidationError) as exc:
        employee_save(employee=leaver)
    assert "separation case is still open" in str(exc.value.message_dict["status"])
    leaver.refresh_from_db()
    assert leaver.status == "leaving"


def test_left_is_allowed_once_the_case_is_completed(open_case):
    case = open_case()
    case.case.status = "completed"
    case.case.save(update_fields=["status"])
    case.leaver.status = "left"
    employee_save(employee=case.leaver)
    case.leaver.refresh_from_db()
    assert case.leaver.status == "left"
