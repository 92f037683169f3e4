"""Pay set-up pages: components, input definitions, salary structures (lines, live formula
check, versions, try-it) and social-insurance policies."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from payroll.engine.formula import FormulaError, compile_formula
from payroll.models import (
    InputDefinition,
    PayComponent,
    SalaryStructure,
    SocialInsurancePolicy,
    StructureLine,
)
from payroll.services.formula_messages import message_for

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def setup(structure, policy):
    """The conftest structure T (岗位工资 = 基本工资 * 10%, 绩效奖金 = 岗位工资 * 绩效系数,
    销售提成 = 销售额 * 1% / 出勤率, 工会会费 20) and the Beijing policy, plus ids for URLs."""
    return {
        "structure": structure,
        "line": structure.lines.get(component__code="绩效奖金"),
        "component": PayComponent.objects.get(code="岗位工资"),
        "input": InputDefinition.objects.get(code="绩效系数"),
        "policy": policy,
    }


def page_urls(s):
    st, ln = s["structure"].pk, s["line"].pk
    return [
        reverse("payroll:components"),
        reverse("payroll:component_create"),
        reverse("payroll:component_edit", args=[s["component"].pk]),
        reverse("payroll:input_definitions"),
        reverse("payroll:input_definition_create"),
        reverse("payroll:input_definition_edit", args=[s["input"].pk]),
        reverse("payroll:structures"),
        reverse("payroll:structure_create"),
        reverse("payroll:structure_detail", args=[st]),
        reverse("payroll:structure_new_version", args=[st]),
        reverse("payroll:structure_line_add", args=[st]),
        reverse("payroll:structure_line_edit", args=[st, ln]),
        reverse("payroll:policies"),
        reverse("payroll:policy_create"),
        reverse("payroll:policy_detail", args=[s["policy"].pk]),
        reverse("payroll:policy_edit", args=[s["policy"].pk]),
    ]


def post_urls(s):
    st, ln = s["structure"].pk, s["line"].pk
    return [
        reverse("payroll:structure_line_delete", args=[st, ln]),
        reverse("payroll:structure_try", args=[st]),
        reverse("payroll:formula_check"),
        reverse("payroll:component_delete", args=[s["component"].pk]),
        reverse("payroll:component_deactivate", args=[s["component"].pk]),
    ]


# --- permissions --------------------------------------------------------------------------


def test_payroll_opens_every_setup_page(client_for, setup):
    client = client_for("payroll")
    for url in page_urls(setup):
        response = client.get(url)
        assert response.status_code == 200, url
    for url in post_urls(setup):
        assert client.get(url).status_code == 405, url  # state changes and checks are POST only


@pytest.mark.parametrize("role", ["hr", "hr_admin", "manager", "employee"])
def test_other_roles_get_403_everywhere(client_for, setup, role):
    client = client_for(role)
    for url in page_urls(setup):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    for url in post_urls(setup):
        assert client.post(url, {"check_structure": setup["structure"].pk, "formula": "1"}).status_code == 403, url
    assert StructureLine.objects.filter(pk=setup["line"].pk).exists()
    assert PayComponent.objects.get(pk=setup["component"].pk).is_active


def test_anonymous_is_sent_to_login(client, setup):
    for url in page_urls(setup) + post_urls(setup):
        response = client.post(url) if url in post_urls(setup) else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


# --- pay components -----------------------------------------------------------------------


def test_component_list_searches_filters_and_pages(client_for, setup):
    for i in range(55):
        PayComponent.objects.create(code=f"补贴{i:02d}", name=f"补贴{i:02d}", kind="earning", display_order=200 + i)
    client = client_for("payroll")
    first = client.get(reverse("payroll:components"))
    assert len(first.context["page_obj"]) == 50 and first.context["page_obj"].paginator.count == 59
    second = client.get(reverse("payroll:components"), {"page": 2})
    assert len(second.context["page_obj"]) == 9
    assert [c.code for c in client.get(reverse("payroll:components"), {"q": "会费"}).context["page_obj"]] == [
        "工会会费"
    ]
    deductions = client.get(reverse("payroll:components"), {"kind": "deduction"}).context["page_obj"]
    assert [c.code for c in deductions] == ["工会会费"]
    used = {c.code: c.used_in for c in first.context["page_obj"]}
    assert used["岗位工资"] == 1 and used["补贴00"] == 0
    empty = client.get(reverse("payroll:components"), {"q": "不存在的"})
    assert "empty-state" in empty.text


def test_component_list_query_count_does_not_grow(client_for, setup, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("payroll")
    client.get(reverse("payroll:components"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("payroll:components"))
    for i in range(30):
        PayComponent.objects.create(code=f"额外{i}", name=f"额外{i}", kind="deduction")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("payroll:components"))


def test_creating_a_component_with_an_invalid_code_shows_the_error(client_for, db, people):
    response = client_for("payroll").post(
        reverse("payroll:component_create"),
        {"code": "1st bonus", "name": "奖金", "kind": "earning", "rounding": "fen", "display_order": 10},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert 'aria-invalid="true"' in response.text
    assert not PayComponent.objects.exists()


def test_creating_a_component(client_for, db, people):
    response = client_for("payroll").post(
        reverse("payroll:component_create"),
        {
            "code": "餐补",
            "name": "餐费补贴",
            "kind": "earning",
            "taxable": "on",
            "rounding": "fen",
            "display_order": 25,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    c = PayComponent.objects.get(code="餐补")
    assert c.taxable and c.is_active and not c.variable and c.display_order == 25


def test_a_used_component_is_deactivated_not_deleted(client_for, setup):
    client = client_for("payroll")
    component = setup["component"]
    page = client.get(reverse("payroll:component_edit", args=[component.pk]))
    assert reverse("payroll:component_deactivate", args=[component.pk]) in page.text
    assert reverse("payroll:component_delete", args=[component.pk]) not in page.text
    response = client.post(reverse("payroll:component_delete", args=[component.pk]), follow=True)
    assert PayComponent.objects.filter(pk=component.pk).exists()
    assert any("T" in str(m) for m in response.context["messages"])
    client.post(reverse("payroll:component_deactivate", args=[component.pk]))
    component.refresh_from_db()
    assert component.is_active is False
    line_form = client.get(reverse("payroll:structure_line_add", args=[setup["structure"].pk]))
    assert component not in line_form.context["form"].fields["component"].queryset


# --- input definitions ---------------------------------------------------------------------


def test_input_list_shows_where_each_input_is_used(client_for, setup):
    page = client_for("payroll").get(reverse("payroll:input_definitions"))
    rows = {d.code: used for d, used, _default in page.context["rows"]}
    assert rows["绩效系数"] == ["T"] and rows["年终奖"] == []
    assert (
        client_for("payroll")
        .get(reverse("payroll:input_definitions"), {"q": "销售"})
        .context["page_obj"]
        .paginator.count
        == 1
    )


def test_the_reserved_annual_bonus_input_cannot_be_renamed(client_for, setup):
    bonus = InputDefinition.objects.get(code="年终奖")
    client = client_for("payroll")
    page = client.get(reverse("payroll:input_definition_edit", args=[bonus.pk]))
    assert page.context["form"].fields["code"].disabled and page.context["form"].fields["is_active"].disabled
    response = client.post(
        reverse("payroll:input_definition_edit", args=[bonus.pk]),
        {"code": "年度奖金", "name": "年度奖金", "kind": "amount", "default": "0"},
    )
    assert response.status_code == 302
    bonus.refresh_from_db()
    assert bonus.code == "年终奖" and bonus.is_active and bonus.name == "年度奖金"


def test_an_input_used_by_a_formula_cannot_be_deactivated_through_the_page(client_for, setup):
    coefficient = setup["input"]
    response = client_for("payroll").post(
        reverse("payroll:input_definition_edit", args=[coefficient.pk]),
        {"code": "绩效系数", "name": "绩效系数", "kind": "number", "default": "1"},
    )
    assert response.status_code == 200
    assert "绩效奖金" in response.context["form"].errors["is_active"][0]
    assert InputDefinition.objects.get(pk=coefficient.pk).is_active


# --- structures ---------------------------------------------------------------------------


def test_structure_list_shows_current_versions_with_counts(client_for, setup, assignments):
    from payroll.services.structures import structure_new_version

    structure_new_version(structure=setup["structure"], effective_from=date(2026, 1, 1))
    SalaryStructure.objects.create(code="B", name="另一个", effective_from=date(2025, 1, 1))
    page = client_for("payroll").get(reverse("payroll:structures"))
    rows = {s.code: s for s in page.context["page_obj"]}
    assert set(rows) == {"T", "B"}
    t = rows["T"]
    assert t.effective_from == date(2026, 1, 1) and t.line_count == 4 and t.version_count == 2
    assert t.assigned == len(assignments)
    assert rows["B"].assigned == 0 and rows["B"].line_count == 0
    found = client_for("payroll").get(reverse("payroll:structures"), {"q": "另一"}).context["page_obj"]
    assert [s.code for s in found] == ["B"]


def test_structure_list_query_count_does_not_grow(client_for, setup, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("payroll")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("payroll:structures"))
    for i in range(20):
        SalaryStructure.objects.create(code=f"X{i}", name=f"结构{i}", effective_from=date(2025, 1, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("payroll:structures"))


def test_create_a_structure(client_for, db, people):
    client = client_for("payroll")
    response = client.post(
        reverse("payroll:structure_create"), {"code": "SALES", "name": "销售", "effective_from": "2026-01-01"}
    )
    s = SalaryStructure.objects.get(code="SALES")
    assert response["Location"] == reverse("payroll:structure_detail", args=[s.pk])
    again = client.post(
        reverse("payroll:structure_create"), {"code": "SALES", "name": "x", "effective_from": "2027-01-01"}
    )
    assert again.status_code == 200 and again.context["form"].errors["code"]


def test_detail_lists_lines_in_evaluation_order(client_for, setup):
    PayComponent.objects.filter(code="绩效奖金").update(display_order=1)  # first on payslips and in the table
    page = client_for("payroll").get(reverse("payroll:structure_detail", args=[setup["structure"].pk]))
    codes = [row.line.component.code for row in page.context["rows"]]
    table_order = [ln.component.code for ln in setup["structure"].lines.all()]
    assert table_order.index("绩效奖金") < table_order.index("岗位工资")  # the table has them the other way round
    assert codes.index("岗位工资") < codes.index("绩效奖金")
    bonus = next(row for row in page.context["rows"] if row.line.component.code == "绩效奖金")
    assert bonus.references == [("岗位工资", "component"), ("绩效系数", "input")]
    assert re.search(r'data-code="岗位工资".*data-code="绩效奖金"', page.text, re.S)


def test_adding_a_valid_line_saves_it_and_orders_it_after_what_it_uses(client_for, setup):
    component = PayComponent.objects.create(code="总奖金", name="总奖金", kind="earning", display_order=1)
    client = client_for("payroll")
    url = reverse("payroll:structure_line_add", args=[setup["structure"].pk])
    response = client.post(url, {"component": component.pk, "mode": "formula", "formula": "绩效奖金 + 销售提成"})
    assert response.status_code == 302
    line = StructureLine.objects.get(structure=setup["structure"], component=component)
    assert line.formula == "绩效奖金 + 销售提成" and line.amount is None
    page = client.get(reverse("payroll:structure_detail", args=[setup["structure"].pk]))
    codes = [row.line.component.code for row in page.context["rows"]]
    assert codes[-1] == "总奖金"  # first in the table (display order 1), last to be calculated
    assert codes.index("岗位工资") < codes.index("绩效奖金")


def test_a_fixed_amount_line(client_for, setup):
    component = PayComponent.objects.create(code="交通补贴", name="交通补贴", kind="earning")
    response = client_for("payroll").post(
        reverse("payroll:structure_line_add", args=[setup["structure"].pk]),
        {"component": component.pk, "mode": "amount", "amount": "500", "formula": "ignored *"},
    )
    assert response.status_code == 302
    line = StructureLine.objects.get(component=component)
    assert line.amount == D("500") and line.formula == ""


def test_a_syntax_error_is_shown_on_the_field_with_its_column(client_for, setup):
    component = PayComponent.objects.create(code="加班费", name="加班费", kind="earning")
    formula = "基本工资 / 174 * (工作日 1.5"
    response = client_for("payroll").post(
        reverse("payroll:structure_line_add", args=[setup["structure"].pk]),
        {"component": component.pk, "mode": "formula", "formula": formula},
    )
    assert response.status_code == 200
    with pytest.raises(FormulaError) as info:
        compile_formula(formula)
    assert info.value.position == 19
    assert response.context["form"].errors["formula"] == [message_for(info.value)]
    assert "19" in response.context["form"].errors["formula"][0]
    check = response.context["check"]
    assert check["column"] == 19 and check["caret"]["prefix"] == formula[:18]
    assert 'class="caret-mark"' in response.text
    assert not StructureLine.objects.filter(component=component).exists()


def test_unknown_names_are_listed_on_save(client_for, setup):
    component = PayComponent.objects.create(code="奖金", name="奖金", kind="earning")
    response = client_for("payroll").post(
        reverse("payroll:structure_line_add", args=[setup["structure"].pk]),
        {"component": component.pk, "mode": "formula", "formula": "基本工资 * 绩效系 + 提成甲"},
    )
    assert response.status_code == 200
    error = response.context["form"].errors["formula"][0]
    assert "绩效系" in error and "提成甲" in error
    unknown = dict(response.context["check"]["unknown"])
    assert set(unknown) == {"绩效系", "提成甲"}
    assert "绩效系数" in unknown["绩效系"]  # a suggestion
    assert not StructureLine.objects.filter(component=component).exists()


def test_a_circular_reference_is_refused_naming_the_cycle(client_for, setup):
    client = client_for("payroll")
    structure = setup["structure"]
    base_line = structure.lines.get(component__code="岗位工资")
    before = {ln.pk: ln.formula for ln in structure.lines.all()}
    response = client.post(
        reverse("payroll:structure_line_edit", args=[structure.pk, base_line.pk]),
        {"mode": "formula", "formula": "绩效奖金 * 2"},
    )
    assert response.status_code == 200
    error = response.context["form"].errors["formula"][0]
    assert "岗位工资 → 绩效奖金 → 岗位工资" in error
    assert {ln.pk: ln.formula for ln in structure.lines.all()} == before


def test_removing_a_line_used_by_another_formula_is_refused(client_for, setup):
    structure = setup["structure"]
    base_line = structure.lines.get(component__code="岗位工资")
    client = client_for("payroll")
    response = client.post(reverse("payroll:structure_line_delete", args=[structure.pk, base_line.pk]), follow=True)
    assert StructureLine.objects.filter(pk=base_line.pk).exists()
    assert any("绩效奖金" in str(m) for m in response.context["messages"])
    client.post(reverse("payroll:structure_line_delete", args=[structure.pk, setup["line"].pk]))
    assert not StructureLine.objects.filter(pk=setup["line"].pk).exists()


def test_new_version_through_the_page(client_for, setup, assignments):
    structure = setup["structure"]
    response = client_for("payroll").post(
        reverse("payroll:structure_new_version", args=[structure.pk]), {"effective_from": "2026-04-01"}
    )
    new = SalaryStructure.objects.get(code="T", effective_from=date(2026, 4, 1))
    assert response["Location"] == reverse("payroll:structure_detail", args=[new.pk])
    structure.refresh_from_db()
    assert structure.effective_to == date(2026, 3, 31)
    assert new.lines.count() == structure.lines.count() == 4
    page = client_for("payroll").get(reverse("payroll:structure_detail", args=[structure.pk]))
    assert [v.pk for v in page.context["versions"]] == [new.pk, structure.pk]
    assert page.context["is_latest"] is False


def test_a_locked_version_offers_a_new_version_instead_of_edits(client_for, setup, assignments, run_factory):
    run_factory(date(2026, 1, 1), finalize=True)
    structure = setup["structure"]
    page = client_for("payroll").get(reverse("payroll:structure_detail", args=[structure.pk]))
    assert page.context["finalised"] == date(2026, 1, 1)
    assert reverse("payroll:structure_line_add", args=[structure.pk]) not in page.text
    assert page.context["version_form"]["effective_from"].value() >= date(2026, 2, 1)
    response = client_for("payroll").post(
        reverse("payroll:structure_line_edit", args=[structure.pk, setup["line"].pk]),
        {"mode": "formula", "formula": "岗位工资 * 2"},
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert StructureLine.objects.get(pk=setup["line"].pk).formula == "岗位工资 * 绩效系数"


# --- live formula check ------------------------------------------------------------------


def check(client, setup, formula, **extra):
    data = {"check_structure": setup["structure"].pk, "formula": formula, **extra}
    return client.post(reverse("payroll:formula_check"), data, HTTP_HX_REQUEST="true")


def test_formula_check_partial_for_a_valid_formula(client_for, setup):
    component = PayComponent.objects.create(code="新奖金", name="新奖金", kind="earning")
    response = check(client_for("payroll"), setup, "ROUND(基本工资 * 绩效系数 + 岗位工资, 2)", component=component.pk)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'data-testid="formula-ok"' in response.text
    assert response.context["check"]["references"] == [
        ("基本工资", "builtin"),
        ("岗位工资", "component"),
        ("绩效系数", "input"),
    ]


def test_formula_check_partial_for_a_syntax_error(client_for, setup):
    response = check(client_for("payroll"), setup, "基本工资 * * 2")
    assert 'data-testid="formula-invalid"' in response.text
    assert response.context["check"]["column"] == 8
    assert response.context["check"]["caret"] == {"line": "基本工资 * * 2", "prefix": "基本工资 * "}
    assert "8" in response.context["check"]["message"]


def test_formula_check_partial_for_unknown_names_and_cycles(client_for, setup):
    client = client_for("payroll")
    unknown = check(client, setup, "销售 * 2")
    assert [name for name, _close in unknown.context["check"]["unknown"]] == ["销售"]
    cycle = check(client, setup, "绩效奖金 + 1", check_line=setup["structure"].lines.get(component__code="岗位工资").pk,
                  check_component=PayComponent.objects.get(code="岗位工资").pk)  # fmt: skip
    assert "岗位工资 → 绩效奖金 → 岗位工资" in cycle.context["check"]["message"]
    empty = check(client, setup, "   ")
    assert empty.context["check"] == {"empty": True}


def test_formula_check_caret_points_into_the_right_line_of_a_long_formula(client_for, setup):
    response = check(client_for("payroll"), setup, "IF(绩效系数 > 1,\n  基本工资 *, 0)")
    caret = response.context["check"]["caret"]
    assert caret == {"line": "  基本工资 *, 0)", "prefix": "  基本工资 *"}


# --- try it --------------------------------------------------------------------------------


def test_try_it_computes_every_component_of_a_worked_example(client_for, setup):
    """Base 20,000; 绩效系数 1.5; 销售额 100,000; 出勤率 0.8:
    岗位工资 = 20,000 × 10% = 2,000; 绩效奖金 = 2,000 × 1.5 = 3,000;
    销售提成 = 100,000 × 1% ÷ 0.8 = 1,250; 工会会费 20 (post-tax deduction).
    Gross = 20,000 + 2,000 + 3,000 + 1,250 = 26,250. Without a policy, January tax is
    (26,250 − 5,000) × 3% = 637.50; net = 26,250 − 20 − 637.50 = 25,592.50."""
    structure = setup["structure"]
    inputs = {d.code: d.pk for d in InputDefinition.objects.all()}
    data = {
        "try-base_salary": "20000",
        f"try-input_{inputs['绩效系数']}": "1.5",
        f"try-input_{inputs['销售额']}": "100000",
        f"try-input_{inputs['出勤率']}": "0.8",
    }
    client = client_for("payroll")
    response = client.post(reverse("payroll:structure_try", args=[structure.pk]), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in response.text
    outcome = response.context["outcome"]
    amounts = {row.code: row.amount for row in outcome["rows"]}
    assert amounts == {
        "岗位工资": D("2000.00"),
        "绩效奖金": D("3000.00"),
        "销售提成": D("1250.00"),
        "工会会费": D("20.00"),
    }
    assert [row.code for row in outcome["rows"]].index("岗位工资") < [row.code for row in outcome["rows"]].index(
        "绩效奖金"
    )
    result = outcome["result"]
    assert result.gross == D("26250.00")
    assert result.iit == D("637.50")
    assert result.net == D("25592.50")
    assert "¥26,250.00" in response.text
    for model in (StructureLine, SalaryStructure):  # nothing written
        assert model.objects.count() == (4 if model is StructureLine else 1)


def test_try_it_with_a_policy_deducts_contributions(client_for, setup):
    structure, policy = setup["structure"], setup["policy"]
    response = client_for("payroll").post(
        reverse("payroll:structure_try", args=[structure.pk]),
        {"try-base_salary": "10000", "try-policy": policy.pk},
        HTTP_HX_REQUEST="true",
    )
    result = response.context["outcome"]["result"]
    # default base: base salary plus fixed earnings (岗位工资 1,000) = 11,000; Beijing pension 8%
    pension = next(r for r in response.context["outcome"]["statutory"] if r.code == "SI_PENSION")
    assert pension.amount == D("880.00")
    assert result.hf_employee == D("1320.00")  # 12% of 11,000


def test_try_it_without_htmx_renders_the_structure_page(client_for, setup):
    response = client_for("payroll").post(
        reverse("payroll:structure_try", args=[setup["structure"].pk]), {"try-base_salary": "-5"}
    )
    assert response.status_code == 200 and "<html" in response.text
    assert response.context["try_form"].errors["base_salary"]


# --- social-insurance policies -------------------------------------------------------------


def policy_data(**overrides):
    data = {
        "city": "上海",
        "name": "上海 2026-07",
        "effective_from": "2026-07-01",
        "effective_to": "",
        "si_floor": "7460",
        "si_ceiling": "37302",
        "hf_floor": "2690",
        "hf_ceiling": "37302",
        "si_rounding": "fen",
        "hf_rounding": "yuan",
        "source": "沪人社规〔2025〕",
        "pension_employee": "8",
        "pension_employer": "16",
        "medical_employee": "2",
        "medical_employer": "9",
        "housing_fund_employee": "7",
        "housing_fund_employer": "7",
    }
    data.update(overrides)
    return data


def test_policy_detail_shows_rates_as_percentages(client_for, setup):
    page = client_for("payroll").get(reverse("payroll:policy_detail", args=[setup["policy"].pk]))
    rates = [(r["employee"], r["employer"]) for r in page.context["rates"]]  # in the order of the schemes
    assert rates == [("8%", "16%"), ("2%", "9.8%"), ("0.5%", "0.5%"), ("0%", "0.2%"), (None, None), ("12%", "12%")]
    assert "¥7,162.00" in page.text and "¥35,811.00" in page.text


def test_create_a_policy(client_for, db, people):
    response = client_for("payroll").post(reverse("payroll:policy_create"), policy_data())
    p = SocialInsurancePolicy.objects.get(city="上海")
    assert response["Location"] == reverse("payroll:policy_detail", args=[p.pk])
    rates = {r.scheme: (r.employee_rate, r.employer_rate) for r in p.rates.all()}
    assert rates == {
        "pension": (D("0.08"), D("0.16")),
        "medical": (D("0.02"), D("0.09")),
        "housing_fund": (D("0.07"), D("0.07")),
    }


def test_a_rate_over_100_percent_is_refused(client_for, db, people):
    response = client_for("payroll").post(reverse("payroll:policy_create"), policy_data(pension_employer="160"))
    assert response.status_code == 200
    assert response.context["form"].errors["pension_employer"]
    assert not SocialInsurancePolicy.objects.exists()


def test_floor_above_ceiling_is_refused(client_for, db, people):
    response = client_for("payroll").post(reverse("payroll:policy_create"), policy_data(hf_floor="40000"))
    assert response.context["form"].errors["hf_ceiling"]
    assert not SocialInsurancePolicy.objects.exists()


def test_overlapping_periods_of_a_city_are_refused_with_a_message(client_for, setup):
    existing = setup["policy"]  # 北京 from 2025-01-01, open-ended
    response = client_for("payroll").post(
        reverse("payroll:policy_create"), policy_data(city="北京", name="北京 2026", effective_from="2026-07-01")
    )
    assert response.status_code == 200
    error = response.context["form"].errors["effective_from"][0]
    assert existing.name in error and "2025-01-01" in error
    assert SocialInsurancePolicy.objects.filter(city="北京").count() == 1


def test_copying_a_policy_for_the_next_period_ends_the_running_one(client_for, setup):
    existing = setup["policy"]
    client = client_for("payroll")
    page = client.get(reverse("payroll:policy_create"), {"copy": existing.pk})
    form = page.context["form"]
    assert form.initial["city"] == "北京" and form.initial["pension_employee"] == D("8")
    assert form.initial["medical_employer"] == D("9.8") and form.initial["effective_from"] == date(2026, 1, 1)
    response = client.post(
        reverse("payroll:policy_create"),
        policy_data(city="北京", name="北京 2026", effective_from="2026-07-01", close_previous="on"),
    )
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.effective_to == date(2026, 6, 30)


def test_editing_a_policy(client_for, setup):
    p = setup["policy"]
    data = policy_data(city="北京", name="北京（更正）", effective_from="2025-01-01", si_floor="7000")
    response = client_for("payroll").post(reverse("payroll:policy_edit", args=[p.pk]), data)
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.name == "北京（更正）" and p.si_floor == D("7000") and p.rates.count() == 3


def test_editing_a_policy_used_by_a_finalised_run_is_refused(client_for, setup, assignments, run_factory):
    run_factory(date(2026, 1, 1), finalize=True)
    p = setup["policy"]
    client = client_for("payroll")
    page = client.get(reverse("payroll:policy_edit", args=[p.pk]))
    assert page.context["finalised"] == date(2026, 1, 1)
    assert '<form method="post" novalidate>' not in page.text
    assert f"?copy={p.pk}" in page.text
    data = policy_data(city="北京", name="改", effective_from="2025-01-01", si_floor="1")
    response = client.post(reverse("payroll:policy_edit", args=[p.pk]), data, follow=True)
    assert any("2026-01" in str(m) for m in response.context["messages"])
    p.refresh_from_db()
    assert p.name == "北京测试政策" and p.si_floor == D("7162")
    detail = client.get(reverse("payroll:policy_detail", args=[p.pk]))
    assert reverse("payroll:policy_edit", args=[p.pk]) not in detail.text


def test_policy_list_filters_by_city(client_for, setup):
    SocialInsurancePolicy.objects.create(
        city="上海",
        name="上海 2026",
        effective_from=date(2026, 7, 1),
        si_floor=1,
        si_ceiling=2,
        hf_floor=1,
        hf_ceiling=2,
    )
    client = client_for("payroll")
    assert client.get(reverse("payroll:policies")).context["page_obj"].paginator.count == 2
    only = client.get(reverse("payroll:policies"), {"city": "上海"}).context["page_obj"]
    assert [p.city for p in only] == ["上海"]
