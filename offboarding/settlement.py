"""The final settlement sheet (离职结算单), computed: pure functions over dates and Decimals, no
ORM, no clock. `offboarding.documents.settlement_inputs` gathers the pay figures from payroll.

What the sheet adds up:

1. The last month's salary, pro-rated to the last working day: the monthly pay in force (base
   salary plus fixed allowances) × the weekdays worked that month ÷ the weekdays of the month
   (from the hire date when hired that month). Public holidays and unpaid leave are not modelled:
   HR corrects the difference under "other amounts".
2. Unused annual leave (未休年休假工资报酬): days × daily wage × 200%. 《企业职工带薪年休假实施办法》
   第十条 pays 300% of the daily wage, of which the normal 100% is already paid with the month's
   wages, so the leaver is owed the other 200%; 第十二条 pro-rates the year's entitlement on
   leaving (HR enters the resulting number of days). Daily wage = monthly wage ÷ 21.75 (第十一条;
   劳社部发〔2008〕3号), with the monthly wage of the compensation below.
3. Other amounts HR enters (bonuses owed, deductions as a negative figure).
4. Economic compensation (经济补偿) where due: termination by the company, mutual agreement and a
   contract that is not renewed; a resignation gets none, and HR can mark a case where none is
   owed (dismissal for serious misconduct, 劳动合同法 第三十九条; renewal refused on equal terms,
   第四十六条(五)). `payroll.engine.china.economic_compensation_detail` computes it from the average
   monthly wage of the last 12 months (finalised payslips; the monthly pay when there are none),
   the service from the hire date to the last working day, and the local average monthly wage
   (the cap). The notice month (代通知金, 第四十条) applies to a termination without 30 days'
   written notice and is paid at the previous month's wage.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from payroll.engine.china import PAY_DAYS_PER_MONTH, CompensationDetail, economic_compensation_detail
from payroll.engine.money import money

from .choices import SeparationKind

ZERO = Decimal(0)
UNUSED_LEAVE_MULTIPLE = Decimal(2)  # 300% owed, 100% already paid with the normal wages
# Beijing's 2024 average monthly wage of urban employees (全口径城镇单位就业人员月平均工资, 12,307),
# used when neither settings.LOCAL_AVG_MONTHLY_WAGE nor the form gives one.
DEFAULT_LOCAL_AVG_MONTHLY_WAGE = Decimal(12307)
COMPENSATION_KINDS = frozenset({SeparationKind.TERMINATION, SeparationKind.MUTUAL, SeparationKind.CONTRACT_END})
NOTICE_PAY_KINDS = frozenset({SeparationKind.TERMINATION})


@dataclass(frozen=True)
class ServiceLength:
    years: int
    months: int  # 0–11, whole months after the years
    days: int  # days after the whole months

    def engine_months(self) -> int:
        """The months to give the compensation engine. 劳动合同法 第四十七条: six months or more
        count as a year; any shorter remainder, even a few days, as half a month. The engine
        reads 1–5 as half a month, so a remainder of days alone becomes 1."""
        if self.months == 0 and self.days > 0:
            return 1
        return self.months


def service_length(hire_date: date, last_working_day: date) -> ServiceLength:
    """Completed years, months and days from the hire date to the last working day, both
    included (hired 2020-03-01, last day 2024-02-29: 4 years exactly)."""
    end = last_working_day + timedelta(days=1)
    if end <= hire_date:
        return ServiceLength(0, 0, 0)
    total = (end.year - hire_date.year) * 12 + (end.month - hire_date.month)
    if end.day < hire_date.day:
        total -= 1
    anchor = _add_months(hire_date, total)
    return ServiceLength(total // 12, total % 12, (end - anchor).days)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def weekdays(start: date, end: date) -> int:
    """Monday–Friday days from `start` to `end`, both included."""
    if end < start:
        return 0
    days = (end - start).days + 1
    full, rest = divmod(days, 7)
    count = full * 5
    for i in range(rest):
        if (start + timedelta(days=full * 7 + i)).weekday() < 5:
            count += 1
    return count


@dataclass(frozen=True)
class SettlementInput:
    kind: str
    last_working_day: date
    hire_date: date | None
    monthly_pay: Decimal | None  # base salary + fixed allowances on the last working day; None: no assignment
    avg_monthly_wage: Decimal | None = None  # the last 12 finalised payslips' average gross; None: none
    last_month_wage: Decimal | None = None  # the last payslip's gross (the notice month's wage)
    unused_leave_days: Decimal = ZERO
    other_amount: Decimal = ZERO
    local_avg_monthly_wage: Decimal = DEFAULT_LOCAL_AVG_MONTHLY_WAGE
    notice_given: bool = True
    no_compensation: bool = False


@dataclass(frozen=True)
class Settlement:
    month_start: date
    worked_days: int
    month_days: int
    last_salary: Decimal | None
    wage_basis: str  # "payslips", "pay" or "" (no pay data)
    monthly_wage: Decimal | None  # for leave pay and compensation
    daily_wage: Decimal | None
    leave_pay: Decimal | None
    other_amount: Decimal
    service: ServiceLength | None
    compensation_due: bool
    compensation: CompensationDetail | None
    total: Decimal | None  # None when a figure is missing (no pay data)

    @property
    def compensation_total(self) -> Decimal:
        return self.compensation.total if self.compensation else ZERO

    @property
    def complete(self) -> bool:
        return self.total is not None


def compensation_due(kind: str, *, no_compensation: bool = False) -> bool:
    return kind in COMPENSATION_KINDS and not no_compensation


def settle(i: SettlementInput) -> Settlement:
    """The settlement sheet's figures. Amounts are rounded to the fen once each."""
    if i.unused_leave_days < 0:
        raise ValueError("unused_leave_days must not be negative")
    last = i.last_working_day
    month_start = last.replace(day=1)
    month_end = last.replace(day=calendar.monthrange(last.year, last.month)[1])
    first_day = max(month_start, i.hire_date) if i.hire_date else month_start
    worked = weekdays(first_day, last)
    month_days = weekdays(month_start, month_end)
    last_salary = None
    if i.monthly_pay is not None:
        last_salary = money(i.monthly_pay * worked / month_days) if month_days else money(ZERO)

    if i.avg_monthly_wage is not None:
        basis, wage = "payslips", i.avg_monthly_wage
    elif i.monthly_pay is not None:
        basis, wage = "pay", i.monthly_pay
    else:
        basis, wage = "", None
    daily = money(wage / PAY_DAYS_PER_MONTH) if wage is not None else None
    leave_pay = None
    if wage is not None:
        leave_pay = money(wage * i.unused_leave_days * UNUSED_LEAVE_MULTIPLE / PAY_DAYS_PER_MONTH)
    elif i.unused_leave_days == 0:
        leave_pay = money(ZERO)

    service = service_length(i.hire_date, last) if i.hire_date else None
    due = compensation_due(i.kind, no_compensation=i.no_compensation)
    detail = None
    if due and wage is not None and service is not None:
        notice_given = i.notice_given or i.kind not in NOTICE_PAY_KINDS
        detail = economic_compensation_detail(
            money(wage),
            service.years,
            service.engine_months(),
            i.local_avg_monthly_wage,
            notice_given=notice_given,
            last_month_wage=None if notice_given else money(i.last_month_wage or i.monthly_pay or wage),
        )
    missing = last_salary is None or leave_pay is None or (due and detail is None)
    total = None
    if not missing:
        total = money(last_salary + leave_pay + i.other_amount + (detail.total if detail else ZERO))
    return Settlement(
        month_start=first_day,
        worked_days=worked,
        month_days=month_days,
        last_salary=last_salary,
        wage_basis=basis,
        monthly_wage=money(wage) if wage is not None else None,
        daily_wage=daily,
        leave_pay=leave_pay,
        other_amount=money(i.other_amount),
        service=service,
        compensation_due=due,
        compensation=detail,
        total=total,
    )
