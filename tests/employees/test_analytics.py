"""Workforce analytics: the pure calculations (tables of cases, no database), the selector's
query budget, the page, the Excel export and target editing."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from employees import analytics as a
from employees import selectors_analytics
from employees.analytics import DepartmentRow, LocationRow, PersonRow, PositionRow, TargetRow
from employees.choices import DepartmentKind, EducationLevel, EmployeeStatus, RoleFamily, WorkforceMetric
from employees.models import Employee, Location, Position, WorkforceTarget
from hrsuite.audit.models import AuditEntry, AuditEvent
from tests.factories import EmployeeFactory

AS_OF = date(2025, 6, 30)
D = Decimal
ACTIVE, LEFT, LEAVING, PROBATION = (
    EmployeeStatus.ACTIVE,
    EmployeeStatus.LEFT,
    EmployeeStatus.LEAVING,
    EmployeeStatus.PROBATION,
)
TECH, PRODUCT, RISK, SALES = RoleFamily.TECHNOLOGY, RoleFamily.PRODUCT, RoleFamily.RISK_CONTROL, RoleFamily.SALES
AGE, MASTER, TENURE, TURNOVER = (
    WorkforceMetric.AGE_25_35_SHARE,
    WorkforceMetric.MASTER_PLUS_SHARE,
    WorkforceMetric.AVERAGE_TENURE,
    WorkforceMetric.TURNOVER,
)


def person(pk=1, status=ACTIVE, **kw) -> PersonRow:
    kw.setdefault("hire_date", date(2020, 1, 1))
    return PersonRow(id=pk, status=status, **kw)


# =============================================================================================
# pure calculations


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (2, 3, D("0.667")),
        (1, 3, D("0.333")),
        (1, 16, D("0.063")),  # 0.0625 rounds half up
        (3, 3, D("1.000")),
        (0, 5, D("0.000")),
        (1, 0, None),  # nothing to divide by
        (2, D("3.5"), D("0.571")),
    ],
)
def test_share_rounds_half_up_to_a_tenth_of_a_percent(part, whole, expected):
    assert a.share(part, whole) == expected


@pytest.mark.parametrize(
    ("row", "day", "expected"),
    [
        (person(hire_date=date(2020, 1, 1)), AS_OF, True),
        (person(hire_date=AS_OF), AS_OF, True),  # joins that day
        (person(hire_date=date(2025, 7, 1)), AS_OF, False),  # not yet joined
        (person(hire_date=None), AS_OF, True),  # unknown hire date: still on staff
        (person(status=LEAVING, leave_date=date(2025, 7, 1)), AS_OF, True),
        (person(status=LEAVING, leave_date=AS_OF), AS_OF, False),  # the leave date is the first day gone
        (person(status=LEFT, leave_date=date(2025, 7, 1)), AS_OF, True),  # a past date: still there then
        (person(status=LEFT, leave_date=None), AS_OF, False),
        (person(status=PROBATION), AS_OF, True),
    ],
)
def test_on_staff(row, day, expected):
    assert a.on_staff(row, day) is expected


@pytest.mark.parametrize(
    ("birth", "day", "age", "band"),
    [
        (date(2000, 7, 1), AS_OF, 24, "under_25"),  # turns 25 tomorrow
        (date(2000, 6, 30), AS_OF, 25, "25_35"),  # 25 today: lower bound inclusive
        (date(1989, 7, 1), AS_OF, 35, "25_35"),  # still 35: upper bound inclusive
        (date(1989, 6, 30), AS_OF, 36, "36_45"),  # 36 today
        (date(1979, 7, 1), AS_OF, 45, "36_45"),
        (date(1979, 6, 30), AS_OF, 46, "46_plus"),
        (date(2000, 2, 29), date(2025, 2, 28), 24, "under_25"),  # leap-day birthday
        (date(2000, 2, 29), date(2025, 3, 1), 25, "25_35"),
    ],
)
def test_age_and_band_on_the_boundaries(birth, day, age, band):
    assert a.age_on(birth, day) == age
    assert a.age_band(age) == band


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (date(2025, 6, 30), date(2024, 6, 30)),
        (date(2024, 2, 29), date(2023, 2, 28)),  # no 29 February in 2023
        (date(2025, 1, 15), date(2024, 1, 15)),
    ],
)
def test_turnover_window_starts_twelve_months_before(day, start):
    assert a.window_start(day) == start


@pytest.mark.parametrize(
    ("targets", "family", "expected"),
    [
        ([TargetRow(AGE, TECH, D("0.6")), TargetRow(AGE, "", D("0.5"))], TECH, D("0.6")),
        ([TargetRow(AGE, TECH, D("0.6")), TargetRow(AGE, "", D("0.5"))], PRODUCT, D("0.5")),  # company-wide
        ([TargetRow(AGE, TECH, D("0.6"))], PRODUCT, None),
        ([TargetRow(MASTER, TECH, D("0.3"))], TECH, None),  # another metric
        ([TargetRow(AGE, "", D("0.5"))], "", D("0.5")),
    ],
)
def test_target_for_falls_back_to_the_company_wide_target(targets, family, expected):
    assert a.target_for(targets, AGE, family) == expected


@pytest.mark.parametrize(
    ("value", "target", "at_most", "gap", "met"),
    [
        (D("0.667"), D("0.6"), False, D("0.067"), True),
        (D("0.5"), D("0.6"), False, D("-0.1"), False),
        (D("0.6"), D("0.6"), False, D("0"), True),  # on target is met
        (D("0.2"), D("0.15"), True, D("0.05"), False),  # turnover: lower is better
        (D("0.15"), D("0.15"), True, D("0"), True),
        (D("0.5"), None, False, None, None),
        (None, D("0.6"), False, None, None),
    ],
)
def test_compare(value, target, at_most, gap, met):
    c = a.compare(value, target, at_most=at_most)
    assert (c.target, c.gap, c.met) == (target, gap, met)


# --- headcount -------------------------------------------------------------------------------

TREE = (
    DepartmentRow(1, "总部", "/1/", DepartmentKind.HEADQUARTERS),
    DepartmentRow(2, "技术部", "/1/2/", location_id=10),
    DepartmentRow(3, "平台组", "/1/2/3/"),
    DepartmentRow(4, "销售部", "/1/4/"),
)
LOCATIONS = (LocationRow(10, "北京"), LocationRow(11, "上海"), LocationRow(12, "深圳"))


def test_headcount_rolls_up_to_top_level_departments_and_lists_every_department():
    people = [
        person(1, department_id=1, department_path="/1/"),
        person(2, department_id=2, department_path="/1/2/"),
        person(3, status=PROBATION, department_id=2, department_path="/1/2/"),
        person(4, department_id=3, department_path="/1/2/3/", location_id=11),
        person(5, status=LEAVING, department_id=4, department_path="/1/4/", leave_date=date(2025, 8, 1)),
        person(6),  # no department
        person(7, status=LEFT, department_id=2, department_path="/1/2/", leave_date=date(2025, 1, 1)),
        person(8, department_id=4, department_path="/1/4/", hire_date=date(2025, 7, 1)),  # joins later
    ]
    h = a.headcount(people, TREE, LOCATIONS, as_of=AS_OF)
    assert h.total == 6
    assert [(u.unit.id, u.unit.is_root, u.headcount) for u in h.by_unit] == [
        (1, True, 1),  # staff placed directly in the headquarters
        (2, False, 3),  # 技术部 with 平台组
        (4, False, 1),
        (None, False, 1),  # no department: counted, not dropped
    ]
    assert [(d.id, d.depth, d.own, d.total) for d in h.by_department] == [
        (1, 0, 1, 5),
        (2, 1, 2, 3),
        (3, 2, 1, 1),
        (4, 1, 1, 1),
        (None, 0, 1, 1),
    ]
    # own location first, else the department's (技术部 is in 北京), else unknown
    assert [(loc.name, loc.headcount) for loc in h.by_location] == [("上海", 1), ("北京", 2), ("深圳", 0), ("", 3)]


def test_headcount_of_nobody():
    h = a.headcount([person(1, status=LEFT, leave_date=date(2024, 1, 1))], TREE, LOCATIONS, as_of=AS_OF)
    assert h.total == 0
    assert [(u.unit.id, u.headcount) for u in h.by_unit] == [(2, 0), (4, 0)]
    assert all(loc.headcount == 0 for loc in h.by_location)


def test_several_roots_without_a_headquarters_are_the_top_level_departments():
    tree = (
        DepartmentRow(1, "北京公司", "/1/", DepartmentKind.BRANCH),
        DepartmentRow(2, "研发", "/1/2/"),
        DepartmentRow(3, "上海公司", "/3/", DepartmentKind.BRANCH),
    )
    h = a.headcount([person(1, department_id=2, department_path="/1/2/")], tree, (), as_of=AS_OF)
    assert [(u.unit.id, u.unit.is_root, u.headcount) for u in h.by_unit] == [(1, False, 1), (3, False, 0)]


def test_a_single_root_is_looked_through_whatever_its_kind():
    tree = (DepartmentRow(1, "公司", "/1/", DepartmentKind.DEPARTMENT), DepartmentRow(2, "研发", "/1/2/"))
    h = a.headcount([person(1, department_id=2, department_path="/1/2/")], tree, (), as_of=AS_OF)
    assert [(u.unit.id, u.unit.is_root, u.headcount) for u in h.by_unit] == [(2, False, 1)]  # no own-staff line


# --- age -------------------------------------------------------------------------------------


def test_age_structure_by_role_family_against_targets():
    people = [
        person(1, role_family=TECH, birth_date=date(2000, 7, 1)),  # 24
        person(2, role_family=TECH, birth_date=date(2000, 6, 30)),  # 25
        person(3, role_family=TECH, birth_date=date(1989, 7, 1)),  # 35
        person(4, role_family=TECH, birth_date=date(1989, 6, 30)),  # 36
        person(5, role_family=TECH, birth_date=None),  # unknown
        person(6, role_family=PRODUCT, birth_date=date(1995, 1, 1)),  # 30
        person(7, role_family="", birth_date=date(1970, 1, 1)),  # 55, no position
        person(8, status=LEFT, leave_date=date(2025, 1, 1), role_family=TECH, birth_date=date(1995, 1, 1)),
    ]
    targets = [TargetRow(AGE, TECH, D("0.600")), TargetRow(AGE, "", D("0.500"))]
    r = a.age_structure(people, targets, as_of=AS_OF)
    by_family = {line.role_family: line for line in r.lines}
    assert list(by_family) == [TECH, PRODUCT, ""]

    tech = by_family[TECH]
    assert (tech.headcount, tech.bands, tech.unknown) == (5, (1, 2, 1, 0), 1)
    assert tech.share_25_35 == D("0.500")  # 2 of the 4 with a birth date
    assert (tech.comparison.target, tech.comparison.gap, tech.comparison.met) == (D("0.6"), D("-0.1"), False)

    product = by_family[PRODUCT]
    assert (product.share_25_35, product.comparison.target, product.comparison.met) == (D("1"), D("0.5"), True)

    nobody = by_family[""]
    assert (nobody.bands, nobody.share_25_35, nobody.comparison.gap) == ((0, 0, 0, 1), D("0"), D("-0.5"))

    assert (r.total.headcount, r.total.bands, r.total.unknown) == (7, (1, 3, 1, 1), 1)
    assert r.total.share_25_35 == D("0.500")  # 3 of 6
    assert r.average_age == D("34.2")  # (24 + 25 + 35 + 36 + 30 + 55) / 6 = 34.17


def test_age_structure_lists_a_targeted_family_without_staff_and_survives_nobody():
    r = a.age_structure([], [TargetRow(AGE, RISK, D("0.4"))], as_of=AS_OF)
    assert [(line.role_family, line.headcount, line.share_25_35) for line in r.lines] == [(RISK, 0, None)]
    assert r.lines[0].comparison == a.Comparison(target=D("0.4"), gap=None, met=None)
    assert (r.total.headcount, r.total.share_25_35, r.average_age) == (0, None, None)


def test_share_is_unknown_when_nobody_has_a_birth_date():
    r = a.age_structure([person(1, role_family=TECH), person(2, role_family=TECH)], [], as_of=AS_OF)
    assert (r.total.unknown, r.total.share_25_35, r.average_age) == (2, None, None)


# --- education -------------------------------------------------------------------------------


def test_education_master_or_higher_against_targets():
    people = [
        person(1, role_family=RISK, education_level=EducationLevel.MASTER),
        person(2, role_family=RISK, education_level=EducationLevel.DOCTORATE),
        person(3, role_family=RISK, education_level=EducationLevel.BACHELOR),
        person(4, role_family=RISK, education_level=""),  # unknown
        person(5, role_family=SALES, education_level=EducationLevel.ASSOCIATE),
        person(6, role_family=SALES, education_level=EducationLevel.SECONDARY),
    ]
    r = a.education_structure(people, [TargetRow(MASTER, RISK, D("0.300"))], as_of=AS_OF)
    risk, sales = r.lines
    assert (risk.role_family, risk.levels, risk.unknown) == (RISK, (0, 0, 1, 1, 1), 1)
    assert risk.share_master_plus == D("0.667")
    assert (risk.comparison.gap, risk.comparison.met) == (D("0.367"), True)
    assert (sales.levels, sales.share_master_plus) == ((1, 1, 0, 0, 0), D("0"))
    assert sales.comparison == a.Comparison(target=None, gap=None, met=None)  # no target at all
    assert (r.total.headcount, r.total.unknown, r.total.share_master_plus) == (6, 1, D("0.4"))


# --- tenure ----------------------------------------------------------------------------------

POSITIONS = (
    PositionRow(1, "后端工程师", TECH, D("2.0")),
    PositionRow(2, "风控分析师", RISK, None),
    PositionRow(3, "销售代表", SALES, None),
    PositionRow(4, "产品经理", PRODUCT, None),  # nobody in it
)


def test_tenure_by_position_with_benchmark_fallbacks():
    people = [
        person(1, position_id=1, role_family=TECH, hire_date=date(2023, 6, 30)),  # 731 days = 2.00 years
        person(2, position_id=1, role_family=TECH, hire_date=date(2021, 6, 30)),  # 1461 days = 4.00 years
        person(3, position_id=2, role_family=RISK, hire_date=date(2024, 6, 30)),  # 1.00
        person(4, position_id=2, role_family=RISK, hire_date=None),  # unknown, not averaged
        person(5, position_id=3, role_family=SALES, hire_date=date(2020, 12, 30)),  # 4.50
        person(6, hire_date=date(2025, 6, 30)),  # no position, joined today: 0.0
    ]
    targets = [TargetRow(TENURE, RISK, D("5.000"))]
    r = a.tenure_by_position(people, POSITIONS, targets, as_of=AS_OF)
    got = [
        (line.position_id, line.headcount, line.unknown, line.average_years, line.benchmark, line.benchmark_source)
        for line in r.lines
    ]
    assert got == [
        (1, 2, 0, D("3.0"), D("2.0"), a.BENCHMARK_POSITION),
        (2, 2, 1, D("1.0"), D("5.000"), a.BENCHMARK_TARGET),
        (3, 1, 0, D("4.5"), D("3.0"), a.BENCHMARK_DEFAULT),
        (None, 1, 0, D("0.0"), D("3.0"), a.BENCHMARK_DEFAULT),
    ]
    assert [(line.comparison.gap, line.comparison.met) for line in r.lines] == [
        (D("1.0"), True),
        (D("-4.0"), False),
        (D("1.5"), True),
        (D("-3.0"), False),
    ]
    # (2.0014 + 4.0 + 1.0 + 4.4997 + 0) / 5 = 2.30
    assert (r.total.headcount, r.total.unknown, r.total.average_years, r.total.benchmark) == (6, 1, D("2.3"), D("3.0"))


def test_tenure_company_benchmark_comes_from_the_company_wide_target():
    r = a.tenure_by_position([], POSITIONS, [TargetRow(TENURE, "", D("4.0"))], as_of=AS_OF)
    assert r.lines == ()
    assert (r.total.average_years, r.total.benchmark, r.total.benchmark_source) == (None, D("4.0"), a.BENCHMARK_TARGET)


# --- turnover --------------------------------------------------------------------------------


def test_turnover_counts_leavers_in_the_half_open_window():
    a_ = {"department_id": 2, "department_path": "/1/2/"}
    people = [
        person(1, status=LEFT, leave_date=date(2024, 6, 30), **a_),  # on the start: before the window
        person(2, status=LEFT, leave_date=date(2024, 7, 1), **a_),  # first day of the window
        person(3, status=LEFT, leave_date=AS_OF, **a_),  # last day of the window
        person(4, **a_),  # stays
        person(5, hire_date=date(2025, 1, 1), **a_),  # joined during the window
        person(6, status=LEAVING, leave_date=date(2025, 7, 1), **a_),  # leaves after as_of
        person(7, status=LEFT, leave_date=None, **a_),  # no leave date: cannot be placed
    ]
    targets = [TargetRow(TURNOVER, "", D("0.150"))]
    r = a.turnover(people, TREE, targets, as_of=AS_OF)
    assert (r.start, r.end, r.left_without_date) == (date(2024, 6, 30), AS_OF, 1)
    lines = {line.unit.id: line for line in r.lines}
    tech = lines[2]
    # start (30 June 2024): 2, 3, 4, 6 = 4; end: 4, 5, 6 = 3; average 3.5; 2 / 3.5 = 0.571
    assert (tech.leavers, tech.start_headcount, tech.end_headcount) == (2, 4, 3)
    assert (tech.average_headcount, tech.rate) == (D("3.5"), D("0.571"))
    assert (tech.comparison.gap, tech.comparison.met) == (D("0.421"), False)
    # nobody in 销售部: average 0, turnover 0
    assert (lines[4].average_headcount, lines[4].rate, lines[4].leavers) == (D("0"), D("0"), 0)
    assert (r.total.leavers, r.total.rate) == (2, D("0.571"))


def test_turnover_of_an_empty_company_is_zero():
    r = a.turnover([], TREE, [], as_of=AS_OF)
    assert (r.total.leavers, r.total.average_headcount, r.total.rate, r.total.comparison.met) == (0, 0, 0, None)


def test_turnover_of_people_without_a_department_is_its_own_line():
    people = [person(1, status=LEFT, leave_date=date(2025, 1, 1)), person(2)]
    r = a.turnover(people, TREE, [TargetRow(TURNOVER, "", D("0.2"))], as_of=AS_OF)
    orphan = r.lines[-1]
    assert (orphan.unit.id, orphan.leavers, orphan.start_headcount, orphan.end_headcount) == (None, 1, 2, 1)
    assert (orphan.rate, orphan.comparison.met) == (D("0.667"), False)


# =============================================================================================
# database: selector, page, export, targets


@pytest.fixture
def client_for(client_for, settings):
    """Pages in English, so the assertions read the source strings whatever the catalogues hold."""

    def make(role):
        c = client_for(role)
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return c

    return make


@pytest.fixture
def company(people, org):
    """A known company on AS_OF (30 June 2025). The eight fixture people (no position, birth
    date or education) are given one hire date; three developers and a leaver are added."""
    Employee.objects.update(hire_date=date(2020, 6, 30), birth_date=None, education_level="", position=None)
    beijing = Location.objects.create(name="北京", city="北京")
    dev = Position.objects.create(code="DEV", title="后端工程师", role_family=TECH, tenure_benchmark_years=D("2.0"))
    sales = Position.objects.create(code="SAL", title="销售代表", role_family=SALES)
    for metric, family, target in [
        (AGE, TECH, "0.600"),
        (MASTER, RISK, "0.300"),
        (TENURE, "", "3.000"),
        (TURNOVER, "", "0.150"),
    ]:
        WorkforceTarget.objects.create(metric=metric, role_family=family, target=D(target))
    devs = [
        EmployeeFactory(
            department=org["a_team"],
            position=dev,
            location=beijing,
            birth_date=birth,
            education_level=edu,
            hire_date=hired,
        )
        for birth, edu, hired in [
            (date(1995, 3, 1), EducationLevel.MASTER, date(2023, 6, 30)),  # 30
            (date(1992, 3, 1), EducationLevel.BACHELOR, date(2021, 6, 30)),  # 33
            (date(1985, 3, 1), EducationLevel.DOCTORATE, date(2021, 6, 30)),  # 40
        ]
    ]
    leaver = EmployeeFactory(
        department=org["b"], position=sales, status=LEFT, hire_date=date(2020, 6, 30), leave_date=date(2025, 1, 15)
    )
    return {"devs": devs, "leaver": leaver, "dev": dev, "sales": sales, "beijing": beijing}


def _page(client, as_of=AS_OF):
    return client.get(reverse("employees:analytics"), {"as_of": as_of.isoformat()})


class _Tables(HTMLParser):
    """The text of every cell of the analytics tables, by data-table key."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self.current = self.tables.setdefault(attrs["data-table"], [])
        elif self.current is not None and tag == "tr":
            self.current.append([])
        elif self.current is not None and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif self.current is not None and tag in ("td", "th") and self.cell is not None:
            self.current[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def _tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def _row(table: list[list[str]], first: str) -> list[str]:
    return next(r for r in table if r and r[0] == first)


@pytest.mark.django_db
def test_selector_queries_do_not_grow_with_the_number_of_employees(people, org):
    def count(n):
        EmployeeFactory.create_batch(n, department=org["a"])
        hr = get_user_model().objects.get(username="hrstaff")  # fresh: nothing cached on it
        with CaptureQueriesContext(connection) as ctx:
            data = selectors_analytics.workforce_data(hr, as_of=AS_OF)
        return len(ctx.captured_queries), len(data.people)

    few, few_people = count(5)
    many, many_people = count(45)
    assert many_people == few_people + 45
    assert few == many == 7  # employees, departments, locations, positions, targets + the user's scope (2)


@pytest.mark.django_db
def test_page_queries_do_not_grow_with_the_number_of_employees(client_for, org, django_assert_num_queries):
    client = client_for("hr")
    _page(client)  # first request of a session fills caches
    EmployeeFactory.create_batch(5, department=org["a"])
    with CaptureQueriesContext(connection) as ctx:
        assert _page(client).status_code == 200
    EmployeeFactory.create_batch(45, department=org["b"])
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert _page(client).status_code == 200


@pytest.mark.django_db
def test_selector_keeps_recent_leavers_and_drops_old_ones(people, org):
    old = EmployeeFactory(department=org["a"], status=LEFT, leave_date=date(2024, 6, 30))
    recent = EmployeeFactory(department=org["a"], status=LEFT, leave_date=date(2024, 7, 1))
    ids = {p.id for p in selectors_analytics.workforce_data(people["users"]["hr"], as_of=AS_OF).people}
    assert recent.pk in ids and old.pk not in ids


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["hr", "hr_admin"])
def test_hr_sees_the_figures(client_for, company, role):
    response = _page(client_for(role))
    assert response.status_code == 200
    html = response.text
    tables = _tables(html)
    assert set(tables) == {
        "headcount_units",
        "headcount_locations",
        "headcount_departments",
        "age",
        "education",
        "tenure",
        "turnover",
    }
    # headcount: 8 fixture people + 3 developers; the leaver left in January
    stats = response.context["report"].stats
    assert [s.value for s in stats] == ["11", "34.3 years", "4.5 years", "8.7%"]
    assert _row(tables["headcount_units"], "技术部")[1:] == ["6", "54.5%"]  # manager, employee, team member, 3 devs
    assert _row(tables["headcount_units"], "总部 (own staff)")[1:] == ["3", "27.3%"]
    assert _row(tables["headcount_units"], "销售部")[1:] == ["2", "18.2%"]
    assert _row(tables["headcount_departments"], "平台组")[1:] == ["4", "4"]
    assert _row(tables["headcount_locations"], "北京")[1:] == ["3", "27.3%"]
    # age: the developers are 30, 33 and 40 -> 2 of 3 aged 25–35 against 60 %
    assert _row(tables["age"], "Technology")[1:] == [
        "0",
        "2",
        "1",
        "0",
        "0",
        "3",
        "66.7%",
        "60.0%",
        "+6.7 pts (Target met)",
    ]
    # education: master and doctorate of 3 developers; nobody in risk control, whose target shows
    assert _row(tables["education"], "Technology")[-3:] == ["66.7%", "—", "No target"]
    assert _row(tables["education"], "Risk control")[-4:] == ["0", "—", "30.0%", "—"]
    # tenure: developers 2.0, 4.0, 4.0 years -> 3.3 against the position's 2.0
    assert _row(tables["tenure"], "后端工程师")[2:] == ["3", "0", "3.3", "2.0", "Position", "+1.3 yrs (Target met)"]
    # turnover: 1 leaver; 12 on 2024-06-30, 11 on 2025-06-30 -> 1 / 11.5 = 8.7 % against 15 %
    assert _row(tables["turnover"], "销售部")[1:] == [
        "1",
        "3",
        "2",
        "2.5",
        "40.0%",
        "15.0%",
        "+25.0 pts (Target missed)",
    ]
    assert _row(tables["turnover"], "Company total")[1:] == [
        "1",
        "12",
        "11",
        "11.5",
        "8.7%",
        "15.0%",
        "−6.3 pts (Target met)",
    ]
    assert 'class="badge rounded-pill text-bg-success"' in html and "text-bg-warning" in html
    # charts are passed as json_script data, never inline script
    for chart in ("chart-headcount-units", "chart-age", "chart-education", "chart-tenure", "chart-turnover"):
        assert f'<script id="{chart}" type="application/json">' in html
    assert "<script>" not in html and " onclick=" not in html
    # definitions are on the page
    assert "Leavers: leave date after 2024-06-30 and on or before 2025-06-30" in html


@pytest.mark.django_db
def test_page_without_staff_shows_the_empty_state(client_for, people):
    response = _page(client_for("hr"), as_of=date(2000, 1, 1))  # before anyone joined
    assert response.status_code == 200
    assert 'class="empty-state"' in response.text
    assert response.context["report"].stats[0].value == "0"


@pytest.mark.django_db
def test_a_future_date_is_refused_and_today_shown(client_for, people):
    response = client_for("hr").get(reverse("employees:analytics"), {"as_of": "2999-01-01"})
    assert response.status_code == 200
    assert response.context["as_of"] != date(2999, 1, 1)
    assert "Choose a date no later than today." in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["employees:analytics", "employees:analytics_export", "employees:targets"])
@pytest.mark.parametrize("role", ["employee", "manager", "payroll"])
def test_others_are_refused(client_for, name, role):
    assert client_for(role).get(reverse(name)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["employees:analytics", "employees:analytics_export", "employees:targets"])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_targets_post_is_refused_to_others(client_for, company):
    response = client_for("manager").post(reverse("employees:targets"), {"action": "targets"})
    assert response.status_code == 403


# --- export ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_has_one_sheet_per_table_with_the_page_figures_and_is_audited(client_for, company):
    client = client_for("hr")
    page = _page(client)
    report = page.context["report"]
    response = client.get(reverse("employees:analytics_export"), {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    assert "workforce-analytics-2025-06-30" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))

    assert wb.sheetnames == [t.sheet_title for t in report.tables]
    assert len(wb.sheetnames) == 7
    for table in report.tables:
        sheet = list(wb[table.sheet_title].iter_rows(values_only=True))
        assert list(sheet[0]) == table.headers()
        expected = [[float(v) if isinstance(v, Decimal) else v for v in row] for row in table.sheet_rows()]
        assert [list(r) for r in sheet[1:]] == expected

    tables = _tables(page.text)
    age = {r[0]: r for r in wb[report.tables[3].sheet_title].iter_rows(values_only=True)}
    assert age["Technology"][7:10] == (66.7, 60.0, 6.7)
    assert _row(tables["age"], "Technology")[7:9] == ["66.7%", "60.0%"]
    turnover = {r[0]: r for r in wb[report.tables[6].sheet_title].iter_rows(values_only=True)}
    assert turnover["Company total"][1:] == (1, 12, 11, 11.5, 8.7, 15.0, -6.3)

    entry = AuditEntry.objects.get(event=AuditEvent.EXPORT)
    assert entry.actor.username == "hrstaff"
    rows = sum(len(list(t.sheet_rows())) for t in report.tables)
    assert entry.additional_data == {"rows": rows, "filters": "as_of=2025-06-30"}


# --- targets ---------------------------------------------------------------------------------


def _formset(rows, *, initial: int):
    data = {
        "action": "targets",
        "targets-TOTAL_FORMS": str(len(rows)),
        "targets-INITIAL_FORMS": str(initial),
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"targets-{i}-{key}"] = value
    return data


def _stored():
    return {(t.metric, t.role_family): t.target for t in WorkforceTarget.objects.all()}


@pytest.mark.django_db
def test_targets_page_shows_shares_as_percentages(client_for, company):
    response = client_for("hr").get(reverse("employees:targets"))
    assert response.status_code == 200
    assert 'value="60.0"' in response.text  # 0.600 shown as 60.0 %
    assert 'value="3.0"' in response.text  # years as years
    assert "后端工程师" in response.text  # benchmark form lists positions


@pytest.mark.django_db
def test_targets_are_saved_as_fractions(client_for, company):
    before = _stored()
    audited = AuditEntry.objects.filter(content_type__model="workforcetarget").count()
    rows = [
        {"metric": AGE, "role_family": TECH, "target": "65"},  # changed
        {"metric": MASTER, "role_family": RISK, "target": "30"},
        {"metric": TENURE, "role_family": "", "target": "3.5"},  # years
        {"metric": TURNOVER, "role_family": "", "target": "15", "DELETE": "on"},  # removed
        {"metric": AGE, "role_family": "", "target": "50"},  # new company-wide default
        {"metric": "", "role_family": "", "target": ""},  # empty extra row
    ]
    response = client_for("hr").post(reverse("employees:targets"), _formset(rows, initial=4), follow=True)
    assert response.redirect_chain[-1][0] == reverse("employees:targets")
    assert "The workforce targets were saved." in response.text
    assert _stored() == {
        (AGE, TECH): D("0.650"),
        (MASTER, RISK): D("0.300"),
        (TENURE, ""): D("3.500"),
        (AGE, ""): D("0.500"),
    }
    assert before != _stored()
    # two updates, one delete, one create; the unchanged master's target is not rewritten
    assert AuditEntry.objects.filter(content_type__model="workforcetarget").count() == audited + 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"metric": AGE, "role_family": TECH, "target": "150"}, "Enter a percentage between 0 and 100."),
        ({"metric": AGE, "role_family": TECH, "target": "-5"}, "Enter a percentage between 0 and 100."),
        ({"metric": TENURE, "role_family": "", "target": "80"}, "Enter a number of years between 0 and 50."),
        ({"metric": TURNOVER, "role_family": SALES, "target": "10"}, "Turnover is measured by department"),
        ({"metric": AGE, "role_family": TECH, "target": "abc"}, "Enter a number."),
    ],
)
def test_a_bad_target_is_refused_and_nothing_is_saved(client_for, company, row, message):
    before = _stored()
    rows = [
        row,
        {"metric": MASTER, "role_family": RISK, "target": "40"},  # a valid change in the same post
        {"metric": TENURE, "role_family": "", "target": "3"},
        {"metric": TURNOVER, "role_family": "", "target": "15"},
    ]
    response = client_for("hr").post(reverse("employees:targets"), _formset(rows, initial=4))
    assert response.status_code == 200
    assert message in response.text
    assert "The targets were not saved: correct the marked rows." in response.text
    assert _stored() == before


@pytest.mark.django_db
def test_two_rows_for_the_same_target_are_refused(client_for, company):
    before = _stored()
    rows = [
        {"metric": AGE, "role_family": TECH, "target": "60"},
        {"metric": MASTER, "role_family": RISK, "target": "30"},
        {"metric": TENURE, "role_family": "", "target": "3"},
        {"metric": TURNOVER, "role_family": "", "target": "15"},
        {"metric": AGE, "role_family": TECH, "target": "70"},
    ]
    response = client_for("hr").post(reverse("employees:targets"), _formset(rows, initial=4))
    assert response.status_code == 200
    assert "keep one row per metric and role family" in response.text
    assert _stored() == before


@pytest.mark.django_db
def test_tenure_benchmarks_per_position(client_for, company):
    dev, sales = company["dev"], company["sales"]
    url = reverse("employees:targets")
    bad = client_for("hr").post(
        url, {"action": "benchmarks", f"benchmarks-position_{dev.pk}": "99", f"benchmarks-position_{sales.pk}": "4"}
    )
    assert bad.status_code == 200 and "Enter a number of years between 0 and 50." in bad.text
    sales.refresh_from_db()
    assert sales.tenure_benchmark_years is None

    ok = client_for("hr").post(
        url, {"action": "benchmarks", f"benchmarks-position_{dev.pk}": "", f"benchmarks-position_{sales.pk}": "4"}
    )
    assert ok.status_code == 302
    dev.refresh_from_db()
    sales.refresh_from_db()
    assert (dev.tenure_benchmark_years, sales.tenure_benchmark_years) == (None, D("4.0"))
