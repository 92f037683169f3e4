"""The team dependence signal as pure functions: dataclasses in, dataclasses out; no ORM, no clock.

For each team (the people attached to one department; sub-departments are teams of their own)
it measures where a single departure would hurt:

* Key customers (offboarding.CustomerAccount with is_key, owned by a team member): how many, who
  holds the most, and that person's share of the team's key accounts and of their annual
  revenue. The team is *concentrated* when the top holder has at least `CONCENTRATION_SHARE` of
  the key accounts or of their revenue, and the team has at least `MIN_ACCOUNTS_FOR_SHARE` key
  accounts (with a single key account the share is always 100% and says nothing).
* Required certificates (training.CertificateRequirement of the members' positions): for each
  required certificate type, the members holding a valid certificate of that type (verified and
  not expired, the compliance matrix's rule). Nobody or a single holder is flagged.

Risk (the badge), with the reasons in words:

* high: concentrated key customers, or a required certificate held by nobody or by one member;
* medium: a top holder with at least `WATCH_SHARE` of the key accounts or revenue, the team's
  only key account, or a required certificate held by exactly `THIN_HOLDERS` members;
* low: none of these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

# thresholds of the signal (shares are fractions of 1)
CONCENTRATION_SHARE = Decimal("0.50")  # top holder's share of key accounts or revenue: high risk
WATCH_SHARE = Decimal("0.34")  # ... at or above this (about a third): medium risk
MIN_ACCOUNTS_FOR_SHARE = 2  # fewer key accounts: the share is not a concentration (medium at most)
SINGLE_HOLDER = 1  # a required certificate held by this many members or fewer: high risk
THIN_HOLDERS = 2  # ... held by exactly this many: medium risk

HIGH, MEDIUM, LOW = "high", "medium", "low"
RISK_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}

SHARE_PLACES = Decimal("0.0001")

# reason codes
KEY_CONCENTRATION = "key_concentration"  # top holder >= CONCENTRATION_SHARE of the key accounts
REVENUE_CONCENTRATION = "revenue_concentration"  # ... of their revenue (and not already of the count)
KEY_WATCH = "key_watch"
REVENUE_WATCH = "revenue_watch"
SINGLE_KEY_ACCOUNT = "single_key_account"
NO_HOLDER = "no_holder"
ONE_HOLDER = "one_holder"
TWO_HOLDERS = "two_holders"


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part / whole rounded half up to four places; None when the whole is zero."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


# --- input ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    position_id: int | None = None


@dataclass(frozen=True)
class KeyAccount:
    owner_id: int
    annual_revenue: Decimal = Decimal(0)


@dataclass(frozen=True)
class CertificateType:
    id: int
    name: str


@dataclass(frozen=True)
class Team:
    department_id: int
    name: str
    path: str = ""
    members: tuple[Member, ...] = ()
    key_accounts: tuple[KeyAccount, ...] = ()  # the key accounts owned by members
    # {position id: certificate type ids the position requires}
    requirements: tuple[tuple[int, tuple[int, ...]], ...] = ()
    # (member id, certificate type id) of every valid certificate a member holds
    valid_certificates: frozenset[tuple[int, int]] = frozenset()


# --- output ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    code: str
    level: str
    params: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def text(self) -> str:
        return describe(self)


@dataclass(frozen=True)
class CustomerSignal:
    key_accounts: int
    revenue: Decimal
    top_holder: str = ""
    top_holder_id: int | None = None
    top_accounts: int = 0
    account_share: Decimal | None = None
    top_revenue: Decimal = Decimal(0)
    revenue_share: Decimal | None = None  # the top holder's share of the key accounts' revenue
    concentrated: bool = False


@dataclass(frozen=True)
class CertificateSignal:
    certificate_type: CertificateType
    required_by: int  # members whose position requires it
    holders: tuple[str, ...]  # names of the members holding a valid certificate

    @property
    def holder_count(self) -> int:
        return len(self.holders)

    @property
    def flagged(self) -> bool:
        return self.holder_count <= SINGLE_HOLDER


@dataclass(frozen=True)
class TeamSignal:
    department_id: int
    name: str
    path: str
    members: int
    customers: CustomerSignal
    certificates: tuple[CertificateSignal, ...]
    risk: str
    reasons: tuple[Reason, ...]

    @property
    def risk_rank(self) -> int:
        return RISK_ORDER[self.risk]


# --- computation ----------------------------------------------------------------------------


def customer_signal(members: Sequence[Member], accounts: Iterable[KeyAccount]) -> CustomerSignal:
    """Key accounts of the team; the top holder holds the most accounts (ties: more revenue,
    then the lower member id, so the result does not depend on the input order)."""
    names = {m.id: m.name for m in members}
    accounts = [a for a in accounts if a.owner_id in names]
    total_revenue = sum((a.annual_revenue for a in accounts), Decimal(0))
    if not accounts:
        return CustomerSignal(key_accounts=0, revenue=total_revenue)
    count: dict[int, int] = {}
    revenue: dict[int, Decimal] = {}
    for a in accounts:
        count[a.owner_id] = count.get(a.owner_id, 0) + 1
        revenue[a.owner_id] = revenue.get(a.owner_id, Decimal(0)) + a.annual_revenue
    top = min(count, key=lambda pk: (-count[pk], -revenue[pk], pk))
    top_by_revenue = max(revenue.values())
    account_share = share(count[top], len(accounts))
    revenue_share = share(revenue[top], total_revenue)
    # the revenue flag looks at whoever holds the most revenue (maybe not the top holder by count)
    best_revenue_share = share(top_by_revenue, total_revenue)
    concentrated = len(accounts) >= MIN_ACCOUNTS_FOR_SHARE and (
        (account_share or 0) >= CONCENTRATION_SHARE or (best_revenue_share or 0) >= CONCENTRATION_SHARE
    )
    return CustomerSignal(
        key_accounts=len(accounts),
        revenue=total_revenue,
        top_holder=names[top],
        top_holder_id=top,
        top_accounts=count[top],
        account_share=account_share,
        top_revenue=revenue[top],
        revenue_share=revenue_share,
        concentrated=concentrated,
    )


def certificate_signals(team: Team, types: dict[int, CertificateType]) -> tuple[CertificateSignal, ...]:
    """One signal per certificate type required by a member's position, by type name."""
    required = dict(team.requirements)
    required_by: dict[int, int] = {}
    for m in team.members:
        for type_id in required.get(m.position_id, ()) if m.position_id else ():
            required_by[type_id] = required_by.get(type_id, 0) + 1
    signals = []
    for type_id, n in required_by.items():
        holders = tuple(sorted(m.name for m in team.members if (m.id, type_id) in team.valid_certificates))
        ctype = types.get(type_id, CertificateType(type_id, str(type_id)))
        signals.append(CertificateSignal(certificate_type=ctype, required_by=n, holders=holders))
    return tuple(sorted(signals, key=lambda s: (s.holder_count, s.certificate_type.name, s.certificate_type.id)))


def _customer_reasons(c: CustomerSignal) -> list[Reason]:
    reasons: list[Reason] = []
    if not c.key_accounts:
        return reasons
    if c.key_accounts < MIN_ACCOUNTS_FOR_SHARE:
        return [Reason(SINGLE_KEY_ACCOUNT, MEDIUM, {"name": c.top_holder})]
    params = {"name": c.top_holder, "n": c.top_accounts, "total": c.key_accounts, "share": c.account_share}
    if c.account_share is not None and c.account_share >= CONCENTRATION_SHARE:
        reasons.append(Reason(KEY_CONCENTRATION, HIGH, params))
    elif c.account_share is not None and c.account_share >= WATCH_SHARE:
        reasons.append(Reason(KEY_WATCH, MEDIUM, params))
    return reasons


def _revenue_reason(c: CustomerSignal, members: Sequence[Member], accounts: Sequence[KeyAccount]) -> Reason | None:
    """The revenue reason, about whoever holds the most key revenue, unless that person is the top
    holder already flagged at the same level for the number of accounts."""
    if c.key_accounts < MIN_ACCOUNTS_FOR_SHARE or not c.revenue:
        return None
    names = {m.id: m.name for m in members}
    revenue: dict[int, Decimal] = {}
    for a in accounts:
        if a.owner_id in names:
            revenue[a.owner_id] = revenue.get(a.owner_id, Decimal(0)) + a.annual_revenue
    holder = min(revenue, key=lambda pk: (-revenue[pk], pk))
    holder_share = share(revenue[holder], c.revenue)
    if holder_share is None or holder_share < WATCH_SHARE:
        return None
    level = HIGH if holder_share >= CONCENTRATION_SHARE else MEDIUM
    count_level = (
        HIGH
        if (c.account_share or 0) >= CONCENTRATION_SHARE
        else MEDIUM
        if (c.account_share or 0) >= WATCH_SHARE
        else None
    )
    if holder == c.top_holder_id and count_level is not None and RISK_ORDER[count_level] <= RISK_ORDER[level]:
        return None  # the same person, already named at this level or higher
    code = REVENUE_CONCENTRATION if level == HIGH else REVENUE_WATCH
    return Reason(code, level, {"name": names[holder], "share": holder_share, "revenue": revenue[holder]})


def _certificate_reasons(signals: Sequence[CertificateSignal]) -> list[Reason]:
    reasons = []
    for s in signals:
        params = {"certificate": s.certificate_type.name, "required_by": s.required_by}
        if s.holder_count == 0:
            reasons.append(Reason(NO_HOLDER, HIGH, params))
        elif s.holder_count <= SINGLE_HOLDER:
            reasons.append(Reason(ONE_HOLDER, HIGH, {**params, "name": s.holders[0]}))
        elif s.holder_count == THIN_HOLDERS:
            reasons.append(Reason(TWO_HOLDERS, MEDIUM, {**params, "names": "、".join(s.holders)}))
    return reasons


def team_signal(team: Team, types: dict[int, CertificateType]) -> TeamSignal:
    customers = customer_signal(team.members, team.key_accounts)
    certificates = certificate_signals(team, types)
    reasons = _customer_reasons(customers)
    revenue = _revenue_reason(customers, team.members, team.key_accounts)
    if revenue is not None:
        reasons.append(revenue)
    reasons.extend(_certificate_reasons(certificates))
    reasons.sort(key=lambda r: RISK_ORDER[r.level])
    risk = min((r.level for r in reasons), key=RISK_ORDER.__getitem__, default=LOW)
    return TeamSignal(
        department_id=team.department_id,
        name=team.name,
        path=team.path,
        members=len(team.members),
        customers=customers,
        certificates=certificates,
        risk=risk,
        reasons=tuple(reasons),
    )


def signals(teams: Iterable[Team], types: dict[int, CertificateType]) -> list[TeamSignal]:
    return [team_signal(t, types) for t in teams]


def sort_signals(items: Iterable[TeamSignal], order: str = "risk") -> list[TeamSignal]:
    """risk: highest risk first, then more reasons, then the larger top-holder share, then the
    department's place in the tree; name: the tree order."""
    items = list(items)
    if order == "name":
        return sorted(items, key=lambda s: (s.path, s.department_id))
    return sorted(
        items,
        key=lambda s: (
            s.risk_rank,
            -len([r for r in s.reasons if r.level == s.risk]),
            -(s.customers.account_share or 0),
            s.path,
            s.department_id,
        ),
    )


# --- words ----------------------------------------------------------------------------------


def _pct(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal('1'), rounding=ROUND_HALF_UP)}%"


def describe(reason: Reason) -> str:
    """The reason in words, in the active language."""
    p = dict(reason.params)
    if "share" in p:
        p["share"] = _pct(p["share"])
    if reason.code == KEY_CONCENTRATION or reason.code == KEY_WATCH:
        return _("%(name)s holds %(n)s of %(total)s key customers (%(share)s)") % p
    if reason.code == REVENUE_CONCENTRATION or reason.code == REVENUE_WATCH:
        return _("%(name)s holds %(share)s of the key customers' annual revenue") % p
    if reason.code == SINGLE_KEY_ACCOUNT:
        return _("The team's only key customer is held by %(name)s") % p
    if reason.code == NO_HOLDER:
        return _("Nobody in the team holds a valid %(certificate)s") % p
    if reason.code == ONE_HOLDER:
        return _("Only %(name)s holds the %(certificate)s") % p
    if reason.code == TWO_HOLDERS:
        return _("Only two people hold the %(certificate)s: %(names)s") % p
    return reason.code
