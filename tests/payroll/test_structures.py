"""Pay set-up services (payroll.services.structures): components, input definitions, structure
lines with formulas checked against the whole structure, versions, city policies."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from payroll.engine.formula import FormulaError
from payroll.gather import load_structure
from payroll.models import (
    InputDefinition,
    PayAssignment,
    PayComponent,
    SalaryStructure,
    SocialInsurancePolicy,
    StructureLine,
)
from payroll.services import structures as svc

pytestmark = pytest.mark.django_db
D = Decimal


# --- small local factories ----------------------------------------------------------------


def component(code, kind="earning", **extra):
    return PayComponent.objects.create(code=code, name=extra.pop("name", code), kind=kind, **extra)


def new_structure(code="S1", start=date(2026, 1, 1)):
    return SalaryStructure.objects.create(code=code, name=f"结构{code}", effective_from=start)


def line(structure, comp, formula="", amount=None):
    return svc.structure_line_save(
        line=StructureLine(structure=structure, component=comp, formula=formula, amount=amount)
    )


def make_policy(city="上海", start=date(2026, 7, 1), end=None, **extra):
    p = SocialInsurancePolicy(
        city=city,
        name=extra.pop("name", f"{city} {start:%Y-%m}"),
        effective_from=start,
        effective_to=end,
        si_floor=extra.pop("si_floor", D("7460")),
        si_ceiling=extra.pop("si_ceiling", D("37302")),
        hf_floor=D("2690"),
        hf_ceiling=D("37302"),
    )
    rates = extra.pop("rates", {"pension": (D("0.08"), D("0.16")), "housing_fund": (D("0.07"), D("0.07"))})
    return svc.policy_create(policy=p, rates=rates, **extra)


def error_text(info) -> str:
    return " ".join(info.value.messages)


# --- components and inputs ----------------------------------------------------------------


def test_component_code_must_be_an_identifier():
    with pytest.raises(ValidationError) as info:
        svc.component_save(component=PayComponent(code="3 bonus", name="x", kind="earning"))
    assert "code" in info.value.message_dict
    assert not PayComponent.objects.exists()


def test_component_code_cannot_clash_with_an_input_or_a_builtin():
    InputDefinition.objects.create(code="绩效系数", name="绩效系数")
    for code in ("绩效系数", "基本工资", "base_salary"):
        with pytest.raises(ValidationError) as info:
            svc.component_save(component=PayComponent(code=code, name="x", kind="earning"))
        assert "code" in info.value.message_dict


def test_component_used_in_a_formula_cannot_be_renamed_but_its_name_can_change():
    s = new_structure()
    base = component("岗位工资")
    line(s, base, "基本工资 * 0.3")
    line(s, component("绩效奖金"), "岗位工资 * 0.5")
    base.code = "岗位津贴"
    with pytest.raises(ValidationError) as info:
        svc.component_save(component=base)
    assert "绩效奖金" in info.value.message_dict["code"][0]
    base = PayComponent.objects.get(pk=base.pk)
    base.name = "岗位津贴（新）"
    svc.component_save(component=base)
    assert PayComponent.objects.get(pk=base.pk).name == "岗位津贴（新）"


def test_component_in_a_structure_cannot_be_deleted_only_deactivated():
    s = new_structure()
    used = component("交通补贴")
    line(s, used, amount=D("500"))
    with pytest.raises(ValidationError) as info:
        svc.component_delete(component=used)
    assert "S1" in error_text(info)
    svc.component_deactivate(component=used)
    used.refresh_from_db()
    assert used.is_active is False
    assert StructureLine.objects.filter(component=used).exists()
    unused = component("临时")
    svc.component_delete(component=unused)
    assert not PayComponent.objects.filter(pk=unused.pk).exists()


def test_annual_bonus_input_cannot_be_renamed_or_deactivated():
    bonus = InputDefinition.objects.create(code="年终奖", name="全年一次性奖金", kind="amount")
    bonus.code = "年度奖金"
    with pytest.raises(ValidationError) as info:
        svc.input_definition_save(definition=bonus)
    assert "code" in info.value.message_dict
    bonus = InputDefinition.objects.get(pk=bonus.pk)
    bonus.is_active = False
    with pytest.raises(ValidationError) as info:
        svc.input_definition_save(definition=bonus)
    assert "is_active" in info.value.message_dict
    bonus = InputDefinition.objects.get(pk=bonus.pk)
    bonus.name = "年终奖金"  # the name and the default may change
    svc.input_definition_save(definition=bonus)
    assert InputDefinition.objects.get(pk=bonus.pk).code == "年终奖"


def test_input_used_by_a_current_formula_cannot_be_deactivated_or_renamed():
    coefficient = InputDefinition.objects.create(code="绩效系数", name="绩效系数", default=D("1"))
    line(new_structure(), component("绩效奖金"), "基本工资 * 绩效系数")
    coefficient.is_active = False
    with pytest.raises(ValidationError) as info:
        svc.input_definition_save(definition=coefficient)
    assert "绩效奖金" in info.value.message_dict["is_active"][0]
    coefficient = InputDefinition.objects.get(pk=coefficient.pk)
    coefficient.code = "绩效分"
    with pytest.raises(ValidationError) as info:
        svc.input_definition_save(definition=coefficient)
    assert "code" in info.value.message_dict


def test_input_used_only_by_an_ended_version_can_be_deactivated():
    coefficient = InputDefinition.objects.create(code="旧系数", name="旧系数")
    old = SalaryStructure.objects.create(
        code="OLD", name="旧", effective_from=date(2020, 1, 1), effective_to=date(2020, 12, 31)
    )
    StructureLine.objects.create(structure=old, component=component("旧奖金"), formula="旧系数 * 100")
    coefficient.is_active = False
    svc.input_definition_save(definition=coefficient)
    assert InputDefinition.objects.get(pk=coefficient.pk).is_active is False


# --- formulas of structure lines -----------------------------------------------------------


def test_check_line_formula_reports_the_column_of_a_syntax_error():
    s = new_structure()
    with pytest.raises(FormulaError) as info:
        svc.check_line_formula(structure=s, component_code="X", formula="基本工资 * * 2")
    assert info.value.code == "syntax"
    assert info.value.position == 8
    assert "8" in svc.formula_error_message(info.value)


def test_check_line_formula_lists_every_unknown_name():
    s = new_structure()
    with pytest.raises(FormulaError) as info:
        svc.check_line_formula(structure=s, component_code="X", formula="基本工资 * 绩效系 + 奖金甲")
    assert info.value.code == "unknown_variable"
    assert info.value.params["names"] == "奖金甲, 绩效系"


def test_inactive_inputs_are_unknown_names():
    InputDefinition.objects.create(code="停用系数", name="停用系数", is_active=False)
    with pytest.raises(FormulaError) as info:
        svc.check_line_formula(structure=new_structure(), component_code="X", formula="停用系数 * 2")
    assert info.value.code == "unknown_variable"


def test_a_circular_reference_is_refused_and_nothing_saved():
    s = new_structure()
    a, b = component("甲"), component("乙")
    with pytest.raises(ValidationError):  # 乙 is not in the structure yet: an unknown name
        line(s, a, "乙 * 2")
    line(s, b, "基本工资 * 0.1")
    line(s, a, "乙 * 2")
    b_line = StructureLine.objects.get(structure=s, component=b)
    b_line.formula = "甲 + 1"
    with pytest.raises(ValidationError) as info:
        svc.structure_line_save(line=b_line)
    message = info.value.message_dict["formula"][0]
    assert "乙 → 甲 → 乙" in message  # starts at the smallest name
    assert isinstance(info.value.__cause__, FormulaError) and info.value.__cause__.code == "circular"
    assert StructureLine.objects.get(pk=b_line.pk).formula == "基本工资 * 0.1"


def test_a_component_cannot_use_itself():
    s = new_structure()
    with pytest.raises(ValidationError) as info:
        line(s, component("甲"), "甲 + 1")
    assert "甲 → 甲" in info.value.message_dict["formula"][0]
    assert not StructureLine.objects.filter(structure=s).exists()


def test_evaluation_order_follows_references_not_the_table_order():
    s = new_structure()
    total = component("合计奖金", display_order=1)
    part = component("部分奖金", display_order=2)
    base = component("岗位工资", display_order=3)
    line(s, base, "基本工资 * 0.3")
    line(s, part, "岗位工资 * 0.5")
    line(s, total, "部分奖金 + 岗位工资")
    assert [ln.component.code for ln in s.lines.all()] == ["合计奖金", "部分奖金", "岗位工资"]
    assert [c.code for c in load_structure(s).components] == ["岗位工资", "部分奖金", "合计奖金"]


def test_a_line_needs_exactly_one_of_amount_and_formula_and_no_negative_amount():
    s = new_structure()
    c = component("交通补贴")
    with pytest.raises(ValidationError):
        line(s, c)
    with pytest.raises(ValidationError):
        line(s, c, "100", D("100"))
    with pytest.raises(ValidationError) as info:
        line(s, c, amount=D("-1"))
    assert "amount" in info.value.message_dict
    saved = line(s, c, "  基本工资 * 0.1  ")
    assert saved.formula == "基本工资 * 0.1"


def test_a_component_appears_once_per_structure():
    s = new_structure()
    c = component("交通补贴")
    line(s, c, amount=D("500"))
    with pytest.raises(ValidationError) as info:
        line(s, c, amount=D("600"))
    assert "component" in info.value.message_dict


def test_a_line_other_formulas_use_cannot_be_removed():
    s = new_structure()
    base = line(s, component("岗位工资"), "基本工资 * 0.3")
    bonus = line(s, component("绩效奖金"), "岗位工资 * 0.5")
    with pytest.raises(ValidationError) as info:
        svc.structure_line_delete(line=base)
    assert "绩效奖金" in error_text(info)
    svc.structure_line_delete(line=bonus)
    svc.structure_line_delete(line=base)
    assert not s.lines.exists()


# --- structures and versions ---------------------------------------------------------------


def test_structure_create_refuses_an_existing_code():
    svc.structure_create(structure=SalaryStructure(code=" STD ", name="通用", effective_from=date(2026, 1, 1)))
    assert SalaryStructure.objects.get().code == "STD"
    with pytest.raises(ValidationError) as info:
        svc.structure_create(structure=SalaryStructure(code="STD", name="again", effective_from=date(2027, 1, 1)))
    assert "code" in info.value.message_dict


def test_new_version_copies_lines_closes_the_old_one_and_moves_assignments(structure, assignments, people):
    before = {ln.component_id: (ln.amount, ln.formula) for ln in structure.lines.all()}
    new = svc.structure_new_version(
        structure=structure, effective_from=date(2026, 3, 1), actor=people["users"]["payroll"]
    )
    structure.refresh_from_db()
    assert structure.effective_to == date(2026, 2, 28)
    assert new.code == structure.code and new.effective_from == date(2026, 3, 1) and new.effective_to is None
    assert {ln.component_id: (ln.amount, ln.formula) for ln in new.lines.all()} == before
    employee = people["employees"]["employee"]
    rows = list(PayAssignment.objects.filter(employee=employee).order_by("effective_from"))
    assert [(a.structure_id, a.effective_from, a.effective_to) for a in rows] == [
        (structure.pk, date(2025, 1, 1), date(2026, 2, 28)),
        (new.pk, date(2026, 3, 1), None),
    ]
    assert rows[1].base_salary == rows[0].base_salary


def test_new_version_must_start_after_the_current_one_and_only_from_the_latest(structure):
    with pytest.raises(ValidationError):
        svc.structure_new_version(structure=structure, effective_from=structure.effective_from)
    svc.structure_new_version(structure=structure, effective_from=date(2026, 3, 1))
    structure.refresh_from_db()
    with pytest.raises(ValidationError) as info:
        svc.structure_new_version(structure=structure, effective_from=date(2026, 2, 1))
    assert "2026-03-01" in error_text(info)


def test_a_version_used_by_a_finalised_run_is_locked(structure, assignments, run_factory):
    run_factory(date(2026, 1, 1), finalize=True)
    assert svc.structure_finalised_through(structure) == date(2026, 1, 1)
    bonus = structure.lines.get(component__code="绩效奖金")
    bonus.formula = "岗位工资 * 2"
    with pytest.raises(ValidationError):
        svc.structure_line_save(line=bonus)
    with pytest.raises(ValidationError) as info:
        svc.structure_new_version(structure=structure, effective_from=date(2026, 1, 15))
    assert "2026-02-01" in error_text(info)
    new = svc.structure_new_version(structure=structure, effective_from=date(2026, 2, 1))
    assert not svc.structure_is_locked(new)
    bonus = new.lines.get(component__code="绩效奖金")
    bonus.formula = "岗位工资 * 2"
    svc.structure_line_save(line=bonus)


# --- social-insurance policies -------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "first", "last"),
    [
        (date(2025, 7, 1), date(2026, 6, 30), date(2025, 7, 1), date(2026, 6, 1)),
        (date(2025, 7, 15), date(2026, 6, 15), date(2025, 7, 1), date(2026, 5, 1)),
        (date(2025, 7, 1), None, date(2025, 7, 1), None),
    ],
)
def test_policy_periods_are_the_months_whose_last_day_it_covers(start, end, first, last):
    assert svc.policy_periods(start, end) == (first, last)


def test_policy_periods_of_a_city_cannot_overlap():
    first = make_policy(start=date(2025, 7, 1), end=date(2026, 6, 30), name="上海 2025")
    make_policy(city="北京", start=date(2026, 1, 1))  # another city may overlap
    with pytest.raises(ValidationError) as info:
        make_policy(start=date(2026, 1, 1))
    message = info.value.message_dict["effective_from"][0]
    assert first.name in message and "2025-07-01" in message and "2026-06-30" in message
    assert SocialInsurancePolicy.objects.filter(city="上海").count() == 1


def test_policy_rates_floor_and_ceiling_are_validated():
    with pytest.raises(ValidationError):
        make_policy(rates={"pension": (D("1.2"), D("0.16"))})
    with pytest.raises(ValidationError) as info:
        make_policy(si_floor=D("9000"), si_ceiling=D("8000"))
    assert "si_ceiling" in info.value.message_dict
    assert not SocialInsurancePolicy.objects.exists()


def test_policy_create_can_end_the_running_policy_of_the_city():
    running = make_policy(start=date(2025, 7, 1))
    new = make_policy(start=date(2026, 7, 1), close_previous=True)
    running.refresh_from_db()
    assert running.effective_to == date(2026, 6, 30)
    assert set(new.rates.values_list("scheme", flat=True)) == {"pension", "housing_fund"}


def test_policy_update_replaces_rates(people):
    p = make_policy()
    p.name = "改名"
    svc.policy_update(policy=p, rates={"pension": (D("0.08"), D("0.15"))})
    assert svc.policy_rates(SocialInsurancePolicy.objects.get(pk=p.pk)) == {"pension": (D("0.08000"), D("0.15000"))}


def test_a_policy_used_by_a_finalised_run_cannot_be_changed(policy, assignments, run_factory):
    run_factory(date(2026, 1, 1), finalize=True)
    assert svc.policy_is_locked(policy) == date(2026, 1, 1)
    assert svc.policy_finalised_through(city="上海", start=policy.effective_from, end=None) is None
    policy.si_floor = D("7000")
    with pytest.raises(ValidationError) as info:
        svc.policy_update(policy=policy, rates=svc.policy_rates(policy))
    assert "2026-01" in error_text(info)
    assert SocialInsurancePolicy.objects.get(pk=policy.pk).si_floor == D("7162")


def test_ending_a_running_policy_before_a_finalised_month_is_refused(policy, assignments, run_factory):
    run_factory(date(2026, 3, 1), finalize=True)
    new = SocialInsurancePolicy(
        city="北京",
        name="北京 2026-02",
        effective_from=date(2026, 2, 1),
        si_floor=D("7000"),
        si_ceiling=D("35000"),
        hf_floor=D("2500"),
        hf_ceiling=D("35000"),
    )
    with pytest.raises(ValidationError) as info:
        svc.policy_create(policy=new, rates={"pension": (D("0.08"), D("0.16"))}, close_previous=True)
    assert "2026-03" in error_text(info)
    assert SocialInsurancePolicy.objects.get(pk=policy.pk).effective_to is None
