"""The team dependence page: who sees which teams, the figures gathered from customer accounts and
certificates (training's validity rule), search, risk filter, sorting, paging and its query count."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from offboarding.models import CustomerAccount
from relations import dependence
from relations.selectors_dependence import departments_visible_to, gather
from tests.factories import DepartmentFactory, EmployeeFactory
from tests.training.qualification_fixtures import make_cert

pytestmark = pytest.mark.django_db

URL = reverse("relations:dependence")


def account(owner, revenue, *, key=True, name=None):
    return CustomerAccount.objects.create(
        name=name or f"客户{CustomerAccount.objects.count() + 1}", owner=owner, is_key=key, annual_revenue=D(revenue)
    )


@pytest.fixture
def teams(people, org, quals):
    """B (sales): 其他员工 holds 4 of the 5 key customers (400,000 of 1,000,000), 乙一 the fifth
    (600,000); only 其他员工 holds a valid fund certificate (乙一's expired, 乙二's awaits
    verification); two hold AML. A: the demo employee holds A's only key customer."""
    e = people["employees"]
    today = timezone.localdate()
    b1 = EmployeeFactory(department=org["b"], name="乙一", position=quals.sales)
    b2 = EmployeeFactory(department=org["b"], name="乙二", position=quals.sales)
    e["other_employee"].name = "其他员工"
    e["other_employee"].save()
    for _ in range(4):
        account(e["other_employee"], 100_000)
    account(b1, 600_000)
    account(b1, 900_000, key=False)  # not a key account
    make_cert(e["other_employee"], quals.fund, "F-1", expires=today + timedelta(days=300))
    make_cert(b1, quals.fund, "F-2", expires=today - timedelta(days=1))  # expired yesterday
    make_cert(b2, quals.fund, "F-3", expires=today + timedelta(days=300), verification="pending")
    make_cert(e["other_employee"], quals.aml, "A-1", expires=today + timedelta(days=5))  # expiring: still valid
    make_cert(b2, quals.aml, "A-2", expires=None)
    account(e["employee"], 50_000)
    make_cert(e["employee"], quals.fund, "F-4", expires=today + timedelta(days=100))
    make_cert(e["employee"], quals.aml, "A-3", expires=today + timedelta(days=100))
    return {"b1": b1, "b2": b2}


def signals(response):
    return {s.department_id: s for s in response.context["page_obj"]}


@pytest.mark.parametrize(
    "role,status", [("hr", 200), ("hr_admin", 200), ("manager", 200), ("employee", 403), ("payroll", 403), (None, 302)]
)
def test_who_opens_the_page(client_for, people, role, status):
    assert client_for(role).get(URL).status_code == status


def test_hr_sees_every_team_with_its_figures(client_for, people, org, teams, english):
    response = client_for("hr").get(URL)
    got = signals(response)
    assert set(got) == {org["hq"].pk, org["a"].pk, org["a_team"].pk, org["b"].pk}
    b = got[org["b"].pk]
    assert b.members == 4
    c = b.customers
    assert (c.key_accounts, c.top_holder, c.top_accounts, c.account_share) == (5, "其他员工", 4, D("0.8000"))
    assert (c.revenue, c.revenue_share, c.concentrated) == (D("1000000"), D("0.4000"), True)
    certs = {s.certificate_type.name: s for s in b.certificates}
    assert certs["基金从业资格"].holders == ("其他员工",) and certs["基金从业资格"].required_by == 3
    assert certs["反洗钱培训合格证"].holder_count == 2
    assert b.risk == dependence.HIGH
    assert [r.text for r in b.reasons] == [
        "其他员工 holds 4 of 5 key customers (80%)",
        "乙一 holds 60% of the key customers' annual revenue",
        "Only 其他员工 holds the 基金从业资格",
        "Only two people hold the 反洗钱培训合格证: 乙二、其他员工",
    ]
    a = got[org["a"].pk]
    assert a.risk == dependence.HIGH  # the employee is A's only fund and AML holder
    assert {r.code for r in a.reasons} == {dependence.SINGLE_KEY_ACCOUNT, dependence.ONE_HOLDER}
    assert got[org["hq"].pk].risk == dependence.LOW and got[org["hq"].pk].customers.key_accounts == 0
    assert response.context["counts"] == {"high": 3, "medium": 0, "low": 1}  # A1: its one member lacks both
    html = response.content.decode()
    assert "其他员工 holds 4 of 5 key customers (80%)" in html and 'data-risk="high"' in html


def test_a_manager_sees_only_the_teams_they_head(client_for, people, org, teams):
    assert set(signals(client_for("manager").get(URL))) == {org["a"].pk, org["a_team"].pk}
    other = client_for("other_manager").get(URL)
    assert set(signals(other)) == {org["b"].pk}
    assert org["a"].name not in other.content.decode()
    # a manager who heads nothing sees no team
    people["employees"]["other_manager"].headed_departments.update(head=None)
    assert signals(client_for("other_manager").get(URL)) == {}


def test_search_risk_filter_and_sorting(client_for, people, org, teams):
    c = client_for("hr")
    assert list(signals(c.get(URL, {"q": "销售"}))) == [org["b"].pk]
    assert list(signals(c.get(URL, {"q": org["a"].code}))) == [org["a"].pk, org["a_team"].pk]
    assert list(signals(c.get(URL, {"risk": "low"}))) == [org["hq"].pk]
    by_risk = list(signals(c.get(URL)))
    assert by_risk[-1] == org["hq"].pk and set(by_risk[:3]) == {org["a"].pk, org["a_team"].pk, org["b"].pk}
    by_name = list(signals(c.get(URL, {"sort": "name"})))
    assert by_name == [d.pk for d in sorted(org.values(), key=lambda d: d.path)]
    assert signals(c.get(URL, {"q": "不存在的部门"})) == {}


def test_certificates_of_people_who_left_and_leavers_accounts_are_ignored(people, org, quals, teams):
    gone = people["employees"]["other_employee"]
    gone.status = "left"
    gone.save()
    team_list, _types = gather(departments_visible_to(people["users"]["hr"]), today=timezone.localdate())
    b = next(t for t in team_list if t.department_id == org["b"].pk)
    assert len(b.members) == 3 and len(b.key_accounts) == 1
    assert all(e != gone.pk for e, _t in b.valid_certificates)


def test_validity_follows_the_compliance_rule(people, org, quals, teams):
    today = date(2030, 1, 1)  # everything dated expires before: only the certificate without an expiry counts
    team_list, _ = gather(departments_visible_to(people["users"]["hr"]), today=today)
    b = next(t for t in team_list if t.department_id == org["b"].pk)
    assert b.valid_certificates == frozenset({(teams["b2"].pk, quals.aml.pk)})


def test_paging_and_a_constant_number_of_queries(
    client_for, people, org, quals, teams, settings, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.HRSUITE_PAGE_SIZE = 2
    c = client_for("hr")
    c.get(URL)
    with django_assert_max_num_queries(16), CaptureQueriesContext(connection) as before:
        first = c.get(URL)
    assert len(first.context["page_obj"]) == 2 and first.context["page_obj"].paginator.count == 4
    for i in range(6):
        dept = DepartmentFactory(name=f"销售{i}组", parent=org["b"])
        for j in range(3):
            person = EmployeeFactory(department=dept, position=quals.sales)
            account(person, 10_000 * (j + 1))
            make_cert(person, quals.fund, f"F-{i}-{j}", expires=timezone.localdate() + timedelta(days=30))
    with CaptureQueriesContext(connection) as after:
        more = c.get(URL, {"page": 3})
    assert more.context["page_obj"].paginator.count == 10
    assert len(after) == len(before)
