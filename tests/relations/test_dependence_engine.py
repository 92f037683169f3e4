"""The team dependence engine (relations.dependence): pure, table-driven, no database."""

from decimal import Decimal as D

import pytest

from relations import dependence as dep
from relations.dependence import CertificateType, KeyAccount, Member, Team

ZHANG, LI, WANG, ZHAO = Member(1, "张三", 10), Member(2, "李四", 10), Member(3, "王五", 20), Member(4, "赵六", 20)
FUND, AML = CertificateType(100, "基金从业资格"), CertificateType(200, "反洗钱培训合格证")
TYPES = {FUND.id: FUND, AML.id: AML}


def accounts(*owners_revenues):
    return tuple(KeyAccount(owner_id=o, annual_revenue=D(r)) for o, r in owners_revenues)


@pytest.mark.parametrize(
    "members,accs,expected",
    [
        # nobody holds a key account
        ((ZHANG, LI), (), dict(key_accounts=0, top_holder="", account_share=None, concentrated=False)),
        # 4 of 5 accounts with one person: 80%; revenue 400 of 500 = 80%
        (
            (ZHANG, LI),
            accounts((1, 100), (1, 100), (1, 100), (1, 100), (2, 100)),
            dict(key_accounts=5, top_holder="张三", top_accounts=4, account_share=D("0.8000"), revenue_share=D("0.8000"),
                 concentrated=True),
        ),
        # exactly half of the accounts is concentrated (the threshold is included)
        (
            (ZHANG, LI),
            accounts((1, 10), (2, 30)),
            dict(key_accounts=2, top_holder="李四", account_share=D("0.5000"), revenue_share=D("0.7500"), concentrated=True),
        ),
        # 1 of 3 each, but one holds 60% of the revenue: concentrated by revenue
        (
            (ZHANG, LI, WANG),
            accounts((1, 600), (2, 200), (3, 200)),
            dict(key_accounts=3, top_holder="张三", account_share=D("0.3333"), revenue_share=D("0.6000"), concentrated=True),
        ),
        # spread evenly over four people: not concentrated
        (
            (ZHANG, LI, WANG, ZHAO),
            accounts((1, 100), (2, 100), (3, 100), (4, 100)),
            dict(key_accounts=4, top_holder="张三", account_share=D("0.2500"), revenue_share=D("0.2500"), concentrated=False),
        ),
        # a single key account: 100% but not a concentration
        ((ZHANG, LI), accounts((2, 900)), dict(key_accounts=1, top_holder="李四", concentrated=False)),
        # accounts of someone outside the team are ignored; zero revenue gives no revenue share
        ((ZHANG,), accounts((1, 0), (1, 0), (9, 500)), dict(key_accounts=2, revenue_share=None, concentrated=True)),
    ],
)  # fmt: skip
def test_customer_signal(members, accs, expected):
    signal = dep.customer_signal(members, accs)
    for name, value in expected.items():
        assert getattr(signal, name) == value, name


def test_top_holder_ties_break_on_revenue_then_id():
    assert dep.customer_signal((ZHANG, LI), accounts((1, 100), (2, 300))).top_holder == "李四"
    assert dep.customer_signal((ZHANG, LI), accounts((2, 100), (1, 100))).top_holder == "张三"


def _team(members=(ZHANG, LI, WANG), accs=(), requirements=((10, (100,)), (20, (100, 200))), valid=()):
    return Team(
        department_id=7,
        name="销售部",
        path="/1/7/",
        members=tuple(members),
        key_accounts=tuple(accs),
        requirements=requirements,
        valid_certificates=frozenset(valid),
    )


def test_certificate_signals_count_holders_per_required_type():
    team = _team(valid=[(1, 100), (2, 100), (3, 100), (3, 200), (1, 200)])
    signals = {s.certificate_type.id: s for s in dep.certificate_signals(team, TYPES)}
    assert signals[100].required_by == 3 and signals[100].holders == ("张三", "李四", "王五")
    # AML is required of 王五 only; 张三 holds one too and counts as a holder
    assert signals[200].required_by == 1 and signals[200].holder_count == 2
    assert not signals[100].flagged and not signals[200].flagged


@pytest.mark.parametrize(
    "accs,valid,risk,codes",
    [
        # nothing worrying
        (accounts((1, 100), (2, 100), (3, 100)), [(1, 100), (2, 100), (3, 100), (3, 200), (1, 200), (2, 200)], dep.LOW, []),
        # 4 of 5 key customers with 张三
        (accounts((1, 100), (1, 100), (1, 100), (1, 100), (2, 100)),
         [(1, 100), (2, 100), (3, 100), (1, 200), (2, 200), (3, 200)], dep.HIGH, [dep.KEY_CONCENTRATION]),
        # only 王五 holds AML
        (accounts((1, 100), (2, 100), (3, 100)), [(1, 100), (2, 100), (3, 100), (3, 200)], dep.HIGH, [dep.ONE_HOLDER]),
        # nobody holds AML, and two hold the fund qualification
        ((), [(1, 100), (2, 100)], dep.HIGH, [dep.NO_HOLDER, dep.TWO_HOLDERS]),
        # 2 of 5 (40%): watch
        (accounts((1, 100), (1, 100), (2, 100), (3, 100), (3, 100)),
         [(1, 100), (2, 100), (3, 100), (1, 200), (2, 200), (3, 200)], dep.MEDIUM, [dep.KEY_WATCH]),
        # 1 of 3 accounts but 70% of the revenue held by someone else than the top holder by count
        (accounts((1, 100), (2, 700), (3, 200)),
         [(1, 100), (2, 100), (3, 100), (1, 200), (2, 200), (3, 200)], dep.HIGH, [dep.REVENUE_CONCENTRATION]),
        # a single key account
        (accounts((2, 100),), [(1, 100), (2, 100), (3, 100), (1, 200), (2, 200), (3, 200)], dep.MEDIUM,
         [dep.SINGLE_KEY_ACCOUNT]),
    ],
)  # fmt: skip
def test_team_risk_and_reasons(accs, valid, risk, codes):
    signal = dep.team_signal(_team(accs=accs, valid=valid), TYPES)
    assert signal.risk == risk
    assert sorted(r.code for r in signal.reasons) == sorted(codes)
    assert signal.members == 3


def test_the_same_person_is_not_named_twice_for_count_and_revenue():
    signal = dep.team_signal(
        _team(accs=accounts((1, 500), (1, 500), (2, 100)), valid=[(m, t) for m in (1, 2, 3) for t in (100, 200)]),
        TYPES,
    )
    assert [r.code for r in signal.reasons] == [dep.KEY_CONCENTRATION]


def test_reasons_in_words(english):
    signal = dep.team_signal(
        _team(accs=accounts((1, 100), (1, 100), (1, 100), (1, 100), (2, 100)), valid=[(1, 100), (2, 100), (3, 200)]),
        TYPES,
    )
    texts = [r.text for r in signal.reasons]
    assert "张三 holds 4 of 5 key customers (80%)" in texts
    assert "Only 王五 holds the 反洗钱培训合格证" in texts
    assert "Only two people hold the 基金从业资格: 张三、李四" in texts
    assert signal.risk == dep.HIGH
    assert [r.level for r in signal.reasons] == [dep.HIGH, dep.HIGH, dep.MEDIUM]  # the worst first


def test_sorting_by_risk_then_share_and_by_name():
    low = dep.team_signal(Team(1, "财务部", "/1/3/", members=(ZHANG,), requirements=()), TYPES)
    high = dep.team_signal(
        Team(2, "销售部", "/1/2/", members=(ZHANG, LI), key_accounts=accounts((1, 1), (1, 1), (2, 1))), TYPES
    )
    medium = dep.team_signal(Team(3, "香港团队", "/1/4/", members=(ZHANG, LI), key_accounts=accounts((1, 1))), TYPES)
    assert [s.department_id for s in dep.sort_signals([low, medium, high])] == [2, 3, 1]
    assert [s.department_id for s in dep.sort_signals([low, medium, high], "name")] == [2, 1, 3]


@pytest.mark.parametrize(
    "part,whole,expected", [(1, 3, D("0.3333")), (2, 3, D("0.6667")), (0, 5, D("0")), (5, 0, None)]
)
def test_share_rounds_half_up(part, whole, expected):
    assert dep.share(part, whole) == expected
