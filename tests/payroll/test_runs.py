"""Pay runs end to end on PostgreSQL: calculation, idempotency, concurrency, four eyes,
immutability of final runs, year-to-date carry-over and the worked tax example."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from payroll.choices import RunStatus, SlipStatus
from payroll.engine.china import iit_withholding
from payroll.models import InputDefinition, PayAdjustment, PayRun, PayRunChunk, PaySlip, PaySlipLine, PeriodInput
from payroll.services import runs

pytestmark = pytest.mark.django_db
D = Decimal
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def test_run_calculates_every_employee_with_lines_explained(assignments, run_factory, people):
    run = run_factory(JAN)
    assert run.status == RunStatus.CALCULATED
    slips = PaySlip.objects.filter(run=run)
    assert slips.count() == len(people["employees"])
    assert run.errors_count == 0
    slip = slips.get(employee=people["employees"]["employee"])
    lines = {ln.code: ln for ln in slip.lines.all()}
    # 基本工资 20,000; 岗位工资 = 10% = 2,000; 绩效奖金 = 岗位工资 × 1 = 2,000 (evaluated after 岗位工资)
    assert lines["基本工资"].amount == D("20000.00")
    assert lines["岗位工资"].amount == D("2000.00")
    assert lines["绩效奖金"].amount == D("2000.00")
    assert lines["绩效奖金"].formula == "岗位工资 * 绩效系数"
    assert lines["绩效奖金"].inputs == {"岗位工资": "2000.00", "绩效系数": "1.0000"}
    assert slip.gross == D("24000.00")
    # Beijing: base 22,000 (base + fixed 岗位工资); pension 8% 1,760, medical 2% 440, unemployment 0.5% 110,
    # housing fund 12% 2,640
    assert lines["SI_PENSION"].amount == D("1760.00")
    assert lines["SI_HOUSING_FUND"].amount == D("2640.00")
    assert slip.si_employee == D("2310.00") and slip.hf_employee == D("2640.00")
    # taxable 24,000 − 5,000 − 4,950 = 14,050 × 3% = 421.50
    assert slip.iit == D("421.50")
    assert slip.net == D("24000.00") - D("4950.00") - D("421.50") - D("20.00")
    assert run.total_net == sum(s.net for s in slips)


def test_creating_twice_returns_the_same_run(people):
    first, created = runs.payrun_create(period=JAN, actor=people["users"]["payroll"])
    second, created_again = runs.payrun_create(period=date(2026, 1, 15), actor=people["users"]["payroll"])
    assert created and not created_again and first == second


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_give_one_run(people):
    results, errors = [], []
    barrier = threading.Barrier(4)

    def create():
        try:
            barrier.wait()
            run, _ = runs.payrun_create(period=FEB, actor=people["users"]["payroll"])
            results.append(run.pk)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(results)) == 1
    assert PayRun.objects.filter(period=FEB).count() == 1


def test_recalculation_replaces_slips_never_duplicates(assignments, run_factory, people):
    run = run_factory(JAN)
    lines_before = PaySlipLine.objects.filter(slip__run=run).count()
    run = runs.payrun_calculate(run=run, actor=people["users"]["payroll"], dispatch=False)
    assert PaySlip.objects.filter(run=run).count() == len(people["employees"])
    assert PaySlipLine.objects.filter(slip__run=run).count() == lines_before


def test_repeated_or_stale_chunk_delivery_writes_nothing(assignments, people):
    run, _ = runs.payrun_create(period=JAN, actor=people["users"]["payroll"])
    with transaction.atomic():
        run = runs.payrun_calculate(run=run, actor=people["users"]["payroll"], dispatch=False)
    chunk = PayRunChunk.objects.get(run=run)
    assert runs.calculate_chunk_now(run_id=run.pk, token=str(chunk.calc_token), index=0) == 0  # already done
    assert runs.calculate_chunk_now(run_id=run.pk, token="00000000-0000-0000-0000-000000000000", index=0) == 0
    assert PaySlip.objects.filter(run=run).count() == len(people["employees"])


def test_dispatched_calculation_runs_in_celery_tasks(assignments, people, django_capture_on_commit_callbacks):
    run, _ = runs.payrun_create(period=JAN, actor=people["users"]["payroll"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        runs.payrun_calculate(run=run, actor=people["users"]["payroll"])
    assert len(callbacks) == 1  # one chunk task (eager in tests)
    run.refresh_from_db()
    assert run.status == RunStatus.CALCULATED and run.employees_done == len(people["employees"])


def test_a_failing_formula_stops_one_slip_not_the_run(assignments, run_factory, people):
    bad = people["employees"]["other_employee"]
    PeriodInput.objects.create(employee=bad, period=JAN, definition=InputDefinition.objects.get(code="出勤率"), value=0)
    run = run_factory(JAN)
    assert run.errors_count == 1
    failed = PaySlip.objects.get(run=run, employee=bad)
    assert failed.status == SlipStatus.ERROR and "销售提成" in failed.error
    assert PaySlip.objects.filter(run=run, status=SlipStatus.OK).count() == len(people["employees"]) - 1
    with pytest.raises(ValidationError):
        runs.payrun_approve(run=run, actor=_other_payroll())


def test_employee_without_assignment_gets_an_error_slip(assignments, run_factory, people):
    assignments["team_member"].delete()
    run = run_factory(JAN)
    slip = PaySlip.objects.get(run=run, employee=people["employees"]["team_member"])
    assert slip.status == SlipStatus.ERROR and "assignment" in slip.error


def test_a_slips_problem_is_kept_as_data_and_shown_in_the_readers_language(assignments, run_factory, people):
    from django.utils import translation

    from payroll.templatetags.payroll_ui import slip_error

    bad = people["employees"]["other_employee"]
    PeriodInput.objects.create(employee=bad, period=JAN, definition=InputDefinition.objects.get(code="出勤率"), value=0)
    assignments["team_member"].delete()
    run = run_factory(JAN)
    failed = PaySlip.objects.get(run=run, employee=bad)
    unassigned = PaySlip.objects.get(run=run, employee=people["employees"]["team_member"])
    # the English record stays beside the data
    assert failed.error == "销售提成: Division by zero."
    assert failed.error_detail["params"]["error"] == {"template": "Division by zero.", "params": {}}
    assert unassigned.error == "No pay assignment for this month."
    with translation.override("zh-hans"):
        assert slip_error(failed) == "销售提成：除数为零。"
        assert slip_error(unassigned) == "本月没有定薪，无法计算工资。"
    with translation.override("en"):
        assert slip_error(failed) == "销售提成: Division by zero."
        assert slip_error(unassigned) == "No pay assignment for this month."


def test_the_run_page_shows_slip_problems_in_chinese(assignments, run_factory, people, client_for):
    from django.urls import reverse

    assignments["team_member"].delete()
    run = run_factory(JAN)
    page = client_for("payroll").get(reverse("payroll:run_detail", args=[run.pk]), {"only": "errors"})
    text = page.content.decode()
    assert "本月没有定薪，无法计算工资。" in text
    assert "No pay assignment" not in text


def test_problem_messages_translate_nested_problems_and_declarations():
    from django.utils import translation

    from payroll.engine.payslip import DECLARATION_FAILED
    from payroll.engine.problems import problem, render
    from payroll.gather import BAD_STRUCTURE, NO_POLICY
    from payroll.services.formula_messages import problem_message

    structure = problem(BAD_STRUCTURE, error={"template": "Unknown function %(name)s.", "params": {"name": "FOO"}})
    assert render(structure) == "Salary structure: Unknown function FOO."
    declaration = {"template": DECLARATION_FAILED, "params": {"error": {"declaration": ["children_negative"]}}}
    assert render(declaration) == "Tax declaration: invalid declaration: children_negative"
    city = problem(NO_POLICY, city="深圳", month="2026-01")
    with translation.override("zh-hans"):
        assert problem_message(structure) == "薪资结构：未知函数 FOO。"
        assert problem_message(declaration) == "专项附加扣除：子女人数不能为负数。"
        assert problem_message(city) == "没有“深圳”在 2026-01 适用的社保政策。"
    with translation.override("en"):
        assert problem_message(declaration) == "Tax declaration: The number of children cannot be negative."
    assert problem_message({}) == "" and problem_message(None) == ""
    assert problem_message({"text": "something else"}) == "something else"


def _other_payroll():
    from tests.payroll.fixtures import _second_payroll_user

    return _second_payroll_user()


def test_preparer_cannot_approve_own_run(assignments, run_factory, people):
    run = run_factory(JAN)
    with pytest.raises(ValidationError):
        runs.payrun_approve(run=run, actor=people["users"]["payroll"])
    # and the database refuses it too
    with pytest.raises(DatabaseError), transaction.atomic():
        PayRun.objects.filter(pk=run.pk).update(approved_by=people["users"]["payroll"])


def test_finalize_needs_approval_and_follows_the_table(assignments, run_factory, people):
    run = run_factory(JAN)
    with pytest.raises(ValidationError):
        runs.payrun_finalize(run=run, actor=_other_payroll())
    run = runs.payrun_approve(run=run, actor=_other_payroll())
    with pytest.raises(ValidationError):  # approved runs cannot be recalculated without being returned
        runs.payrun_calculate(run=run, actor=people["users"]["payroll"], dispatch=False)
    run = runs.payrun_return(run=run, actor=_other_payroll(), reason="请核对销售提成")
    assert run.status == RunStatus.CALCULATED and run.approved_by is None


def test_final_runs_and_slips_are_immutable_in_the_database(assignments, run_factory, people):
    run = run_factory(JAN, finalize=True)
    slip = PaySlip.objects.filter(run=run).first()
    line = slip.lines.first()
    statements = [
        ("UPDATE payroll_payslip SET net = net + 1 WHERE id = %s", slip.pk),
        ("DELETE FROM payroll_payslip WHERE id = %s", slip.pk),
        ("UPDATE payroll_payslipline SET amount = 0 WHERE id = %s", line.pk),
        ("DELETE FROM payroll_payslipline WHERE id = %s", line.pk),
        ("UPDATE payroll_payrun SET total_net = 0 WHERE id = %s", run.pk),
        ("UPDATE payroll_payrun SET status = 'draft' WHERE id = %s", run.pk),
        ("DELETE FROM payroll_payrun WHERE id = %s", run.pk),
        (
            "INSERT INTO payroll_payslipline (slip_id, code, name, kind, source, taxable, amount, formula, inputs, explanation, display_order)"
            " VALUES (%s, 'X', 'X', 'earning', 'component', true, 1, '', '{}', '', 1)",
            slip.pk,
        ),
    ]
    for sql, pk in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
    slip.refresh_from_db()
    assert PaySlip.objects.filter(run=run).count() == len(people["employees"])
    # publishing (issue of payslips) is the one change still allowed
    PayRun.objects.filter(pk=run.pk).update(status=RunStatus.PUBLISHED)
    with pytest.raises(ValidationError):
        runs.payrun_cancel(run=PayRun.objects.get(pk=run.pk), actor=people["users"]["payroll"])


def test_corrections_after_finalisation_go_into_the_next_month(assignments, run_factory, people):
    from payroll.services.assignments import adjustment_create, period_input_set

    run_factory(JAN, finalize=True)
    employee = people["employees"]["employee"]
    with pytest.raises(ValidationError):
        period_input_set(
            employee=employee, period=JAN, definition=InputDefinition.objects.get(code="绩效系数"), value=D("2")
        )
    with pytest.raises(ValidationError):
        adjustment_create(adjustment=PayAdjustment(employee=employee, period=JAN, amount=D("500"), reason="补发"))
    adjustment_create(adjustment=PayAdjustment(employee=employee, period=FEB, amount=D("500"), reason="补发一月绩效"))
    feb = run_factory(FEB)
    slip = PaySlip.objects.get(run=feb, employee=employee)
    adj = slip.lines.get(source="adjustment")
    assert adj.amount == D("500.00") and adj.explanation == "补发一月绩效"


def test_overlapping_scopes_are_refused(assignments, people, org):
    runs.payrun_create(period=JAN, departments=[org["a"]], actor=people["users"]["payroll"])
    with pytest.raises(ValidationError):
        runs.payrun_create(period=JAN, departments=[org["a_team"]], actor=people["users"]["payroll"])
    with pytest.raises(ValidationError):
        runs.payrun_create(period=JAN, actor=people["users"]["payroll"])
    _other, created = runs.payrun_create(period=JAN, departments=[org["b"]], actor=people["users"]["payroll"])
    assert created


def test_department_run_covers_only_its_subtree(assignments, people, org):
    run, _ = runs.payrun_create(period=JAN, departments=[org["a"]], actor=people["users"]["payroll"])
    run = runs.payrun_calculate(run=run, actor=people["users"]["payroll"], dispatch=False)
    names = set(PaySlip.objects.filter(run=run).values_list("employee__name", flat=True))
    assert names == {"manager", "employee", "teammember"}


def test_worked_tax_example_through_the_whole_pipeline(people, policy):
    """30,000 a month with 4,500 social insurance and housing fund and 2,000 of additional
    deductions withholds 555, 625 and 1,850 in January to March (the issue's check)."""
    from payroll.models import PayAssignment, SalaryStructure, SocialInsuranceRate, TaxDeclaration

    # rates giving exactly 4,500 on a 30,000 base: pension 8% + medical 2% + housing fund 5%
    SocialInsuranceRate.objects.filter(policy=policy, scheme="unemployment").update(employee_rate=0)
    SocialInsuranceRate.objects.filter(policy=policy, scheme="housing_fund").update(employee_rate=D("0.05"))
    empty = SalaryStructure.objects.create(code="EMPTY", name="空结构", effective_from=date(2025, 1, 1))
    employee = people["employees"]["employee"]
    PayAssignment.objects.create(
        employee=employee,
        structure=empty,
        base_salary=D("30000"),
        effective_from=date(2025, 1, 1),
        si_policy_city="北京",
    )
    TaxDeclaration.objects.create(employee=employee, year=2026, children=1)
    from tests.factories import DepartmentFactory

    employee.department = DepartmentFactory(name="税务演示组", parent=employee.department)
    employee.bank_name, employee.bank_account, employee.bank_account_holder = (
        "招商银行",
        "6225881234567890",
        employee.name,
    )
    employee.save()
    taxes = []
    for period in (JAN, FEB, MAR):
        run, _ = runs.payrun_create(period=period, departments=[employee.department], actor=people["users"]["payroll"])
        run = runs.payrun_calculate(run=run, actor=people["users"]["payroll"], dispatch=False)
        slip = PaySlip.objects.get(run=run, employee=employee)
        assert slip.si_employee + slip.hf_employee == D("4500.00")
        taxes.append(slip.iit)
        run = runs.payrun_approve(run=run, actor=_other_payroll())
        runs.payrun_finalize(run=run, actor=_other_payroll())
    assert taxes == [D("555.00"), D("625.00"), D("1850.00")]
    expected = iit_withholding([{"income": D("30000"), "special": D("4500"), "additional": D("2000")}] * 3)
    assert taxes == expected


def test_annual_bonus_is_taxed_separately(assignments, run_factory, people):
    employee = people["employees"]["employee"]
    PeriodInput.objects.create(
        employee=employee, period=JAN, definition=InputDefinition.objects.get(code="年终奖"), value=D("36001")
    )
    run = run_factory(JAN)
    slip = PaySlip.objects.get(run=run, employee=employee)
    assert slip.bonus_tax == D("3390.10")  # 36,001 ÷ 12 > 3,000: 10% − 210
    assert slip.iit == D("421.50")  # wages taxed as without the bonus
    assert slip.gross == D("24000.00") + D("36001.00")


@pytest.mark.django_db(transaction=True)
def test_two_people_pressing_calculate_at_once_get_one_set_of_slips(people, policy, structure):
    from payroll.models import PayAssignment

    for employee in people["employees"].values():
        PayAssignment.objects.create(
            employee=employee,
            structure=structure,
            base_salary=D("12000"),
            effective_from=date(2025, 1, 1),
            si_policy_city="北京",
        )
    run, _ = runs.payrun_create(period=JAN, actor=people["users"]["payroll"])
    barrier = threading.Barrier(2)
    outcomes = []

    def press():
        try:
            barrier.wait()
            runs.payrun_calculate(run=run, actor=people["users"]["payroll"], dispatch=False)
            outcomes.append("calculated")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.refresh_from_db()
    assert run.status == RunStatus.CALCULATED
    assert "calculated" in outcomes
    assert PaySlip.objects.filter(run=run).count() == len(people["employees"])
    assert PaySlip.objects.filter(run=run).values("employee").distinct().count() == len(people["employees"])


def test_an_invalid_declaration_is_described_by_its_codes():
    from payroll.engine import china
    from payroll.engine.problems import describe

    with pytest.raises(china.InvalidDeclaration) as info:
        china.monthly_additional_deduction(china.Declaration(children=-1))
    assert info.value.codes == ("children_negative",)
    assert str(info.value) == "invalid declaration: children_negative"
    assert describe(info.value) == {"declaration": ["children_negative"]}


def test_every_stored_figure_of_a_slip_is_the_engines_own(assignments, run_factory, people):
    """The COPY rows are built by position: each money and year-to-date column must hold the
    figure of the same name in the engine's result (ytd_taxable and ytd_tax swapped would make
    next month's cumulative tax wrong without an error)."""
    from operator import attrgetter

    from payroll.engine.payslip import calculate
    from payroll.gather import gather
    from payroll.services.runs import SLIP_MONEY_FIELDS, SLIP_YTD_SOURCES

    run = run_factory(JAN)
    employee = people["employees"]["employee"]
    slip = PaySlip.objects.get(run=run, employee=employee)
    (pay,) = gather(JAN, [employee.pk]).inputs
    result = calculate(pay)
    assert result.ok and result.iit > 0 and result.ytd.tax_withheld == result.iit
    for column in SLIP_MONEY_FIELDS:
        assert getattr(slip, column) == getattr(result, column), column
    for column, source in SLIP_YTD_SOURCES.items():
        assert getattr(slip, column) == attrgetter(source)(result), column
