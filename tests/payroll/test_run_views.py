"""Pay-run pages: who may open them, the review with last month's comparison, the progress bar,
the actions, and a slip's explanation."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from payroll.choices import RunStatus
from payroll.models import InputDefinition, PayRun, PaySlip, PeriodInput
from payroll.services import runs

pytestmark = pytest.mark.django_db
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


@pytest.mark.parametrize("role", ["hr", "hr_admin", "manager", "employee"])
def test_only_payroll_opens_run_pages(client_for, role, assignments, run_factory):
    run = run_factory(JAN)
    slip = PaySlip.objects.filter(run=run).first()
    client = client_for(role)
    for url in (
        reverse("payroll:runs"),
        reverse("payroll:run_detail", args=[run.pk]),
        reverse("payroll:run_progress", args=[run.pk]),
        reverse("payroll:slip_detail", args=[slip.pk]),
    ):
        assert client.get(url).status_code == 403, url
    for name in ("run_calculate", "run_approve", "run_finalize", "run_cancel"):
        assert client.post(reverse(f"payroll:{name}", args=[run.pk])).status_code == 403


def test_anonymous_goes_to_login(client, assignments, run_factory):
    run = run_factory(JAN)
    response = client.get(reverse("payroll:run_detail", args=[run.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_create_calculate_approve_finalize_through_the_pages(
    client_for, assignments, people, tests_second_payroll, django_capture_on_commit_callbacks
):
    preparer = client_for("payroll")
    response = preparer.post(reverse("payroll:run_create"), {"period": "2026-01"})
    run = PayRun.objects.get(period=JAN)
    assert response["Location"] == reverse("payroll:run_detail", args=[run.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the chunk tasks run eagerly in tests
        preparer.post(reverse("payroll:run_calculate", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.CALCULATED
    page = preparer.get(reverse("payroll:run_detail", args=[run.pk]))
    assert 'data-testid="approve"' in page.text and "disabled" in page.text  # the preparer cannot approve
    response = preparer.post(reverse("payroll:run_approve", args=[run.pk]), follow=True)
    run.refresh_from_db()
    assert run.status == RunStatus.CALCULATED
    assert any("cannot approve" in str(m) or "不能审批" in str(m) for m in response.context["messages"])
    approver = tests_second_payroll
    approver.post(reverse("payroll:run_approve", args=[run.pk]))
    approver.post(reverse("payroll:run_finalize", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.FINALIZED and run.approved_by.username == "payroll2"


def test_second_create_of_same_month_lands_on_the_existing_run(client_for, assignments):
    client = client_for("payroll")
    client.post(reverse("payroll:run_create"), {"period": "2026-01"})
    response = client.post(reverse("payroll:run_create"), {"period": "2026-01"}, follow=True)
    assert PayRun.objects.filter(period=JAN).count() == 1
    assert response.redirect_chain[-1][0] == reverse("payroll:run_detail", args=[PayRun.objects.get().pk])


def test_review_flags_changes_new_and_missing_against_last_month(client_for, assignments, run_factory, people):
    run_factory(JAN, finalize=True)
    employee = people["employees"]["employee"]
    coefficient = InputDefinition.objects.get(code="绩效系数")
    PeriodInput.objects.create(employee=employee, period=FEB, definition=coefficient, value=Decimal("5"))
    assignments["team_member"].delete()  # paid in January, error in February
    feb = run_factory(FEB)
    page = client_for("payroll").get(reverse("payroll:run_detail", args=[feb.pk]), {"only": "anomalies"})
    names = [s.employee.name for s in page.context["page_obj"]]
    assert "employee" in names  # net pay jumped far beyond 20%
    assert "other" not in names
    assert page.context["anomaly_count"] >= 1
    errors = client_for("payroll").get(reverse("payroll:run_detail", args=[feb.pk]), {"only": "errors"})
    assert [s.employee.name for s in errors.context["page_obj"]] == ["teammember"]


def test_progress_partial_and_refresh(client_for, assignments, run_factory):
    run = run_factory(JAN)
    PayRun.objects.filter(pk=run.pk).update(status=RunStatus.CALCULATING, employees_done=3, employees_total=8)
    page = client_for("payroll").get(reverse("payroll:run_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert 'data-testid="progress-count">3 / 8<' in page.text
    assert "every 1s" in page.text
    PayRun.objects.filter(pk=run.pk).update(status=RunStatus.CALCULATED)
    done = client_for("payroll").get(reverse("payroll:run_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_slip_detail_explains_lines_and_is_audited(client_for, assignments, run_factory, people):
    from hrsuite.audit.models import AuditEntry, AuditEvent

    run = run_factory(JAN)
    slip = PaySlip.objects.get(run=run, employee=people["employees"]["employee"])
    page = client_for("payroll").get(reverse("payroll:slip_detail", args=[slip.pk]))
    assert page.status_code == 200
    assert "岗位工资 * 绩效系数" in page.text
    assert "¥421.50" in page.text  # income tax, to the fen
    assert AuditEntry.objects.filter(event=AuditEvent.VIEW, object_pk=str(slip.pk)).exists()


def test_review_page_query_count_does_not_grow(client_for, assignments, run_factory, org, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from payroll.models import PayAssignment
    from tests.factories import EmployeeFactory

    structure = assignments["employee"].structure

    def hire(n):
        for e in EmployeeFactory.create_batch(n, department=org["b"]):
            PayAssignment.objects.create(
                employee=e,
                structure=structure,
                base_salary=Decimal("9000"),
                effective_from=date(2025, 1, 1),
                si_policy_city="北京",
            )

    run_factory(JAN, finalize=True)
    hire(2)  # new in February, so every section of the review has rows
    feb = run_factory(FEB)
    client = client_for("payroll")
    client.get(reverse("payroll:run_detail", args=[feb.pk]))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("payroll:run_detail", args=[feb.pk]))
    hire(60)
    feb = runs.payrun_calculate(run=feb, actor=people["users"]["payroll"], dispatch=False)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("payroll:run_detail", args=[feb.pk]))
    assert len(response.context["page_obj"]) == 50
    assert len(many.captured_queries) <= len(few.captured_queries)
