"""The compliance matrix (statuses, filters, a manager's scope, a fixed number of queries), its
Excel export (audited, formula-escaped) and the compliance training report PDF."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from employees.models import Employee
from hrsuite.audit.models import AuditEntry, AuditEvent
from tests.payroll.export_helpers import rows, workbook
from tests.training.qualification_fixtures import make_cert
from training.models import CertificateRequirement, Enrollment

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://evil.example/x","点我")'


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def held(quals, people, today):
    """employee: fund valid, AML expiring in 10 days; team_member: fund expired yesterday, AML
    missing; other_employee: fund valid (expires in 31 days, window 30), AML expiring today."""
    e = people["employees"]
    make_cert(e["employee"], quals.fund, "F-E", expires=today + timedelta(days=400))
    make_cert(e["employee"], quals.aml, "A-E", expires=today + timedelta(days=10))
    make_cert(e["team_member"], quals.fund, "F-T", expires=today - timedelta(days=1))
    make_cert(e["other_employee"], quals.fund, "F-O", expires=today + timedelta(days=31))
    make_cert(e["other_employee"], quals.aml, "A-O", expires=today)
    make_cert(e["manager"], quals.securities, "S-M", expires=None)  # held, not required
    return e


def matrix(client, **params):
    response = client.get(reverse("training:compliance_matrix"), params)
    assert response.status_code == 200
    return response


def statuses(response) -> dict[str, dict[str, str]]:
    return {
        row.employee.name: {c.certificate_type.code: c.status for c in row.cells} for row in response.context["rows"]
    }


def names(response) -> set[str]:
    return {row.employee.name for row in response.context["rows"]}


# --- statuses and filters --------------------------------------------------------------------


def test_matrix_statuses(client_for, held):
    response = matrix(client_for("hr"))
    assert [t.code for t in response.context["columns"]] == ["AML", "FUND"]  # required by a position in view
    assert statuses(response) == {
        "employee": {"AML": "expiring", "FUND": "valid"},
        "teammember": {"AML": "missing", "FUND": "expired"},
        "other": {"AML": "expiring", "FUND": "valid"},
    }
    summary = {s["type"].code: dict(s["counts"]) for s in response.context["summary"]}
    assert summary["FUND"] == {"valid": 2, "expiring": 0, "expired": 1, "missing": 0}
    assert summary["AML"] == {"valid": 0, "expiring": 2, "expired": 0, "missing": 1}
    cell = next(c for c in response.context["rows"][0].cells if c.certificate_type.code == "AML")
    assert cell.days_left in (10, 0)


@pytest.mark.parametrize(("days", "expected"), [(-1, "expired"), (0, "expiring"), (30, "expiring"), (31, "valid")])
def test_sql_and_python_agree_on_the_boundaries(client_for, quals, people, today, days, expected):
    """The cells use training.compliance.certificate_status, the filters and counts a SQL
    expression: both must put the boundaries in the same place."""
    e = people["employees"]["employee"]
    make_cert(e, quals.fund, "F-B", expires=today + timedelta(days=days))
    client = client_for("hr")
    response = matrix(client, q=e.employee_no, certificate_type=quals.fund.pk)
    assert response.context["rows"][0].cells[0].status == expected
    assert dict(response.context["summary"][0]["counts"])[expected] == 1
    sql_status = "ok" if expected == "valid" else expected
    assert names(matrix(client, q=e.employee_no, certificate_type=quals.fund.pk, status=sql_status)) == {"employee"}


def test_people_without_requirements_on_request(client_for, held, quals):
    response = matrix(client_for("hr"), everyone="on")
    rows = statuses(response)
    assert rows["manager"] == {"AML": "not_required", "FUND": "not_required"}
    assert "hrstaff" in rows


def test_a_new_hire_within_the_grace_days_is_missing_with_a_due_date(client_for, quals, people, today):
    CertificateRequirement.objects.filter(certificate_type=quals.fund).update(grace_days=90)
    e = people["employees"]["employee"]
    e.hire_date = today - timedelta(days=10)
    e.save()
    response = matrix(client_for("hr"), q=e.employee_no)
    cell = next(c for c in response.context["rows"][0].cells if c.certificate_type == quals.fund)
    assert cell.status == "missing" and cell.grace_until == today + timedelta(days=80)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "problems"}, {"employee", "teammember", "other"}),
        ({"status": "expired"}, {"teammember"}),
        ({"status": "missing"}, {"teammember"}),
        ({"status": "expiring"}, {"employee", "other"}),
        ({"status": "problems", "certificate_type": "FUND"}, {"teammember"}),
        ({"status": "ok", "certificate_type": "FUND"}, {"employee", "other"}),
        ({"status": "ok"}, set()),
        ({"department": "a"}, {"employee", "teammember"}),  # department A with its sub-team
        ({"department": "a_team"}, {"teammember"}),
        ({"department": "b"}, {"other"}),
        ({"q": "team"}, {"teammember"}),
    ],
)
def test_matrix_filters(client_for, held, quals, org, params, expected):
    params = dict(params)
    if "department" in params:
        params["department"] = org[params["department"]].pk
    if "certificate_type" in params:
        params["certificate_type"] = getattr(quals, {"FUND": "fund"}[params["certificate_type"]]).pk
    assert names(matrix(client_for("hr"), **params)) == expected


def test_type_filter_shows_one_column(client_for, held, quals):
    response = matrix(client_for("hr"), certificate_type=quals.aml.pk)
    assert response.context["columns"] == [quals.aml]


def test_position_filter(client_for, held, quals, people):
    from employees.models import Position

    other_position = Position.objects.create(code="SALES-2", title="投资顾问", role_family="sales")
    CertificateRequirement.objects.create(position=other_position, certificate_type=quals.fund)
    e = people["employees"]["other_employee"]
    e.position = other_position
    e.save()
    assert names(matrix(client_for("hr"), position=other_position.pk)) == {"other"}


def test_htmx_filter_returns_the_partial(client_for, held):
    response = client_for("hr").get(
        reverse("training:compliance_matrix"), {"status": "expired"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="matrix"
    )
    assert "<html" not in response.text and "teammember" in response.text and 'data-status="expired"' in response.text


# --- who sees what -------------------------------------------------------------------------------


def test_manager_sees_only_their_team(client_for, held):
    response = matrix(client_for("manager"))
    assert names(response) == {"employee", "teammember"}  # department A and their reports, not department B
    assert names(matrix(client_for("other_manager"))) == {"other"}
    # a department outside the team is not even offered
    choices = {d.code for d in response.context["form"].fields["department"].queryset}
    assert "B" not in choices


def test_manager_cannot_filter_their_way_out(client_for, held, org):
    response = matrix(client_for("manager"), department=org["b"].pk)
    assert "other" not in names(response)


@pytest.mark.parametrize("role", ["employee", "payroll", "team_member"])
def test_matrix_refused_without_the_permission(client_for, held, role):
    assert client_for(role).get(reverse("training:compliance_matrix")).status_code == 403
    assert client_for(role).get(reverse("training:compliance_export")).status_code == 403


def test_manager_sees_no_links_to_hr_pages(client_for, held):
    text = matrix(client_for("manager")).text
    assert reverse("training:certificate_create") not in text
    assert "/training/certificates/" not in text


# --- a fixed number of queries ---------------------------------------------------------------------


def _more_people(quals, org, today, n: int, start: int) -> None:
    employees = Employee.objects.bulk_create(
        [
            Employee(
                employee_no=f"M{start + i:05d}", name=f"员工{start + i}", department=org["b"], position=quals.sales
            )
            for i in range(n)
        ]
    )
    from training.models import EmployeeCertificate

    EmployeeCertificate.objects.bulk_create(
        [
            EmployeeCertificate(
                employee=e,
                certificate_type=quals.fund if i % 2 else quals.aml,
                number=f"N{e.employee_no}",
                issued_on=today - timedelta(days=300),
                expires_on=today + timedelta(days=i % 60 - 10),
                verification="verified" if i % 5 else "pending",
            )
            for i, e in enumerate(employees)
        ]
    )


@pytest.mark.parametrize("role", ["hr", "other_manager"])
def test_matrix_query_count_is_constant(client_for, quals, org, today, role):
    client = client_for(role)
    matrix(client)  # the first request of a session also saves the session
    _more_people(quals, org, today, 5, 0)
    with CaptureQueriesContext(connection) as few:
        response = matrix(client, status="problems")
    assert 5 <= len(response.context["rows"]) <= 8
    _more_people(quals, org, today, 55, 5)
    with CaptureQueriesContext(connection) as many:
        response = matrix(client, status="problems")
    assert response.context["page_obj"].paginator.count > 50 and len(response.context["rows"]) == 50
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


# --- export --------------------------------------------------------------------------------------


def test_export_of_the_filtered_matrix_is_audited(client_for, held, people, english):
    client = client_for("hr")
    response = client.get(reverse("training:compliance_export"), {"status": "problems"})
    assert "attachment" in response["Content-Disposition"]
    wb = workbook(response)
    data = rows(wb.worksheets[0])
    assert data[0] == [
        "Employee no.",
        "Name",
        "Department",
        "Position",
        "反洗钱培训合格证",
        "反洗钱培训合格证: number",
        "反洗钱培训合格证: expires on",
        "基金从业资格",
        "基金从业资格: number",
        "基金从业资格: expires on",
    ]
    assert {r[1] for r in data[1:]} == {"employee", "teammember", "other"}
    team_row = next(r for r in data if r[1] == "teammember")
    assert team_row[4:] == ["Missing", None, None, "Expired", "F-T", team_row[9]]
    assert str(team_row[9])[:10] == str(timezone.localdate() - timedelta(days=1))
    summary = rows(wb.worksheets[1])
    assert summary[1][0] in ("反洗钱培训合格证", "基金从业资格")
    entry = AuditEntry.objects.get(event=AuditEvent.EXPORT)
    assert entry.actor == people["users"]["hr"] and entry.additional_data["rows"] == 3
    assert "status=problems" in entry.additional_data["filters"]


def test_export_escapes_formulas(client_for, held, people):
    e = people["employees"]["team_member"]
    e.name = EVIL
    e.save()
    wb = workbook(client_for("hr").get(reverse("training:compliance_export")))
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert "'" + EVIL in values
    assert EVIL not in values


def test_manager_export_is_scoped(client_for, held):
    wb = workbook(client_for("manager").get(reverse("training:compliance_export")))
    assert {r[1] for r in rows(wb.worksheets[0])[1:]} == {"employee", "teammember"}


# --- the compliance training report --------------------------------------------------------------


@pytest.fixture
def trained(held, quals, people, today):
    """Chinese names, a completed course with an exam (two attempts), one without."""
    from exams.models import Exam, ExamAttempt, QuestionBank
    from training.models import Course

    e = people["employees"]
    e["employee"].name = "王晓明"
    e["employee"].save()
    e["team_member"].name = "李娜"
    e["team_member"].save()
    bank = QuestionBank.objects.create(name="反洗钱题库")
    exam = Exam.objects.create(title="反洗钱考试", bank=bank, question_count=10, time_limit_minutes=20, pass_mark=70)
    aml_course = Course.objects.create(code="AML-101", title="反洗钱基础", hours=Decimal("4"), exam=exam)
    ethics = Course.objects.create(code="ETH-1", title="职业道德与合规", hours=Decimal("2.5"))
    done = timezone.now() - timedelta(days=20)
    for course in (aml_course, ethics):
        Enrollment.objects.create(
            employee=e["employee"],
            course=course,
            source="hr",
            status="completed",
            completed_at=done,
            hours=course.hours,
        )
    Enrollment.objects.create(employee=e["team_member"], course=ethics, source="hr", status="enrolled")
    for n, score in ((1, "62.50"), (2, "91.00")):
        ExamAttempt.objects.create(
            exam=exam,
            employee=e["employee"],
            number=n,
            status="submitted",
            started_at=done,
            deadline=done,
            submitted_at=done,
            score=Decimal(score),
            passed=score > "70",
        )
    return e


def _pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "".join(page.extract_text() for page in reader.pages).replace("\n", "").replace(" ", "")


def test_report_pdf_per_department(client_for, trained, org, people):
    client = client_for("hr")
    params = {"scope": "department", "department": org["a"].pk}
    page = client.get(reverse("training:compliance_report"), params)
    report = page.context["report"]
    assert [p.employee.name for p in report.people] == ["manager", "王晓明", "李娜"]  # A, then its sub-team
    mine = next(p for p in report.people if p.employee.name == "王晓明")
    assert [(c.code, c.best_score) for c in mine.courses] == [("AML-101", Decimal("91.00")), ("ETH-1", None)]
    assert mine.hours == Decimal("6.5")
    response = client.get(reverse("training:compliance_report_pdf"), params)
    assert response["Content-Disposition"].startswith("attachment")
    text = _pdf_text(response)
    with translation.override("zh-hans"):
        title = translation.gettext("Compliance training report")
    assert title.replace(" ", "") in text
    assert "王晓明" in text and "李娜" in text and "技术部" in text
    assert "反洗钱基础" in text and "91.0%" in text and "基金从业资格" in text and "F-E" in text
    assert report.digest in text
    entry = AuditEntry.objects.get(event=AuditEvent.EXPORT)
    assert entry.actor == people["users"]["hr"] and entry.additional_data["content_hash"] == report.digest
    assert entry.object_pk == str(org["a"].pk)


def test_report_pdf_per_employee(client_for, trained, people):
    client = client_for("hr")
    e = people["employees"]["team_member"]
    response = client.get(
        reverse("training:compliance_report_pdf"), {"scope": "employee", "employee_no": e.employee_no}
    )
    text = _pdf_text(response)
    assert "李娜" in text and "王晓明" not in text
    assert "F-T" in text  # the expired fund certificate
    assert "职业道德与合规" not in text  # enrolled, not completed


def test_report_hash_is_stable_and_tracks_the_content(client_for, trained, quals, org, people, today):
    client = client_for("hr")
    params = {"scope": "department", "department": org["a"].pk}
    first = client.get(reverse("training:compliance_report"), params).context["report"].digest
    assert client.get(reverse("training:compliance_report"), params).context["report"].digest == first
    make_cert(people["employees"]["team_member"], quals.aml, "A-NEW", expires=today + timedelta(days=300))
    assert client.get(reverse("training:compliance_report"), params).context["report"].digest != first


def test_report_period_limits_the_courses(client_for, trained, people, today):
    client = client_for("hr")
    params = {
        "scope": "employee",
        "employee_no": people["employees"]["employee"].employee_no,
        "completed_from": str(today - timedelta(days=5)),
    }
    report = client.get(reverse("training:compliance_report"), params).context["report"]
    assert report.people[0].courses == []


def test_report_scope_errors_and_permissions(client_for, trained, english):
    client = client_for("hr")
    response = client.get(reverse("training:compliance_report"), {"scope": "employee", "employee_no": "NOPE"})
    assert "No employee has the number NOPE." in response.context["form"].errors["employee_no"]
    response = client.get(reverse("training:compliance_report_pdf"), {"scope": "department"})
    assert response.status_code == 302 and reverse("training:compliance_report") in response["Location"]
    for role in ("manager", "employee", "payroll"):
        assert client_for(role).get(reverse("training:compliance_report")).status_code == 403
        assert client_for(role).get(reverse("training:compliance_report_pdf")).status_code == 403


# --- the HR dashboard widget ---------------------------------------------------------------------


def test_hr_dashboard_shows_the_certificate_summary(client_for, held):
    response = client_for("hr").get(reverse("core:dashboard"))
    widget = next(w for w in response.context["widgets"] if w["name"] == "training.certificates")
    assert dict(widget["ctx"]["counts"]) == {"expiring": 2, "expired": 1, "missing": 1}
    assert reverse("training:compliance_matrix") + "?status=expired" in response.text
    employee_page = client_for("employee").get(reverse("core:dashboard"))
    assert all(w["name"] != "training.certificates" for w in employee_page.context["widgets"])
