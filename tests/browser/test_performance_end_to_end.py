"""Issue 13's "done when", every step in a real browser: HR makes and opens a quarter of OKRs with
a company objective; the head of department A sets a department objective aligned to it with key
results weighing 60 + 40; the employee sets a personal objective aligned to that one and reports
a month's progress with a comment; HR makes and launches a review cycle linked to the quarter;
the employee writes and submits their self-assessment from /me/performance/; the manager rates
them B; HR starts the calibration, reads the distribution against the guideline, raises the
employee to A with a reason and releases the results; the employee reads and acknowledges them.
Then the next pay run pays the 绩效奖金 with the calibrated rating's coefficient (1.2), read
from the payroll input the release wrote. (The segments are tested in detail in
tests/performance/; this test proves they join up.)"""

import os
import re
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from payroll.models import PayRun, PaySlipLine, PeriodInput
from performance import services
from performance.models import Objective, OkrCycle, Review, ReviewCycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    """Screenshots for a person to look at, when SCREENSHOTS=<directory> is set."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def sign_in_as(page, login, role):
    page.context.clear_cookies()
    login(page, role)


def saved(page, text):
    expect(page.locator(".alert-success")).to_contain_text(text)


def fill_key_results(page, rows):
    """Fills the first rows of the key results formset and checks the running total is 100."""
    for i, (title, metric, target, weight) in enumerate(rows):
        page.fill(f"input[name='kr-{i}-title']", title)
        page.fill(f"input[name='kr-{i}-metric']", metric)
        page.fill(f"input[name='kr-{i}-target_value']", target)
        page.fill(f"input[name='kr-{i}-weight']", weight)
    expect(page.locator("[data-testid=weight-total]")).to_have_text("100")
    expect(page.locator("[data-kr-total-hint]")).to_be_hidden()
    page.click("[data-testid=key-results-save]")
    expect(page).to_have_url(re.compile(r"/performance/okr/objectives/\d+/$"))
    saved(page, "关键结果已保存")


def test_okrs_and_review_to_the_pay_run(
    page, login, live_server, people, org, rating_scale, coefficient_input, structure, assignments, run_factory
):
    page.on("dialog", lambda dialog: dialog.accept())
    base = live_server.url
    users, emps = people["users"], people["employees"]
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    pay_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)  # next month: no pay run yet
    assert not PayRun.objects.filter(period=pay_month).exists()

    # 1. HR creates this quarter's OKR cycle through the form, opens it and sets a company objective
    login(page, "hr")
    page.goto(f"{base}/performance/okr/")
    page.click("[data-testid=okr-cycle-new]")
    page.select_option("select[name=kind]", "quarter")
    page.fill("input[name=year]", str(today.year))
    page.select_option("select[name=quarter]", str(quarter))
    page.click("[data-testid=okr-cycle-save]")
    name = f"{today.year} Q{quarter}"
    expect(page.locator("h1.page-title")).to_contain_text(name)
    page.click("[data-testid=okr-cycle-open]")
    expect(page.locator("[data-testid=okr-cycle-close]")).to_be_visible()  # offered once it is open
    saved(page, "现为")
    okr_cycle = OkrCycle.objects.get(name=name)
    assert okr_cycle.status == "open" and okr_cycle.kind == "quarter"
    page.click("[data-testid=objective-new]")
    page.select_option("select[name=level]", "company")
    page.fill("input[name=title]", "营收增长 20%")
    page.click("[data-testid=objective-save]")
    saved(page, "营收增长 20%")
    company = Objective.objects.get(cycle=okr_cycle, level="company")

    # 2. the head of department A sets the team's objective, aligned to the company's, weights 60 + 40
    sign_in_as(page, login, "manager")
    page.goto(f"{base}/performance/okr/{okr_cycle.pk}/")
    page.locator(f"[data-objective='{company.pk}'] > .card [data-testid=add-child]").click()
    expect(page.locator("select[name=level]")).to_have_value("department")
    expect(page.locator("select[name=parent]")).to_have_value(str(company.pk))
    page.fill("input[name=title]", "技术部交付 1.2 亿合同")
    page.select_option("select[name=department]", str(org["a"].pk))
    page.click("[data-testid=objective-save]")
    fill_key_results(page, [("合同交付额", "万元", "12000", "60"), ("客户满意度", "分", "95", "40")])
    team = Objective.objects.get(cycle=okr_cycle, level="department")
    assert team.parent == company and team.department == org["a"]
    assert sorted(team.key_results.values_list("weight", flat=True)) == [D(40), D(60)]

    # 3. the employee sets a personal objective aligned to the team's and reports this month's progress
    sign_in_as(page, login, "employee")
    page.goto(f"{base}/performance/okr/{okr_cycle.pk}/")
    page.locator(f"[data-objective='{team.pk}'] > .card [data-testid=add-child]").click()
    expect(page.locator("select[name=parent]")).to_have_value(str(team.pk))
    expect(page.locator("select[name=owner]")).to_have_value(str(emps["employee"].pk))
    page.fill("input[name=title]", "个人交付 1000 万")
    page.click("[data-testid=objective-save]")
    fill_key_results(page, [("签约营收", "万元", "1000", "70"), ("拜访重点客户", "家", "30", "30")])
    mine = Objective.objects.get(cycle=okr_cycle, level="individual")
    assert mine.owner == emps["employee"] and mine.parent == team
    revenue = mine.key_results.get(title="签约营收")
    form = page.locator(f"#kr-{revenue.pk} form[data-testid=progress-form]")
    form.locator("input[name=value]").fill("500")
    form.locator("textarea[name=comment]").fill("签约三单，回款正常")
    form.locator("button[type=submit]").click()
    saved(page, "进度已保存")
    expect(page.locator(f"#kr-{revenue.pk} [data-testid=kr-history]")).to_contain_text("签约三单，回款正常")
    expect(page.locator("[data-testid=objective-completion]")).to_have_text("35.00%")  # 50% of 70
    shot(page, "e2e-okr-progress")

    # 4. HR makes the review cycle of department A, linked to the quarter, paid next month, and launches it
    sign_in_as(page, login, "hr")
    page.goto(f"{base}/performance/reviews/new/")
    page.fill("input[name=name]", f"{name} 绩效考核")
    page.select_option("select[name=okr_cycle]", str(okr_cycle.pk))
    page.select_option("select[name=departments]", [str(org["a"].pk)])
    page.fill("input[name=period_start]", okr_cycle.starts_on.isoformat())
    page.fill("input[name=period_end]", okr_cycle.ends_on.isoformat())
    page.fill("input[name=self_due]", (today + timedelta(days=7)).isoformat())
    page.fill("input[name=manager_due]", (today + timedelta(days=14)).isoformat())
    page.check("input[name=calibration_required]")
    page.fill("input[name=pay_period]", pay_month.strftime("%Y-%m"))
    expect(page.locator("select[name=coefficient_input]")).to_have_value(str(coefficient_input.pk))
    page.click("[data-testid=review-cycle-save]")
    saved(page, f"{name} 绩效考核")
    cycle = ReviewCycle.objects.get(name=f"{name} 绩效考核")
    assert cycle.pay_period == pay_month and cycle.okr_cycle == okr_cycle
    page.click("[data-testid=action-launch]")
    expect(page.locator("[data-testid=stepper] [aria-current=step]")).to_have_attribute("data-stage", "assessment")
    reviews = {r.employee_id: r for r in Review.objects.filter(cycle=cycle)}
    assert set(reviews) == {emps[k].pk for k in ("manager", "employee", "team_member")}
    review = reviews[emps["employee"].pk]

    # 5. the employee writes and submits their self-assessment from /me/performance/
    sign_in_as(page, login, "employee")
    page.goto(f"{base}/me/performance/")
    task = page.locator(f"[data-testid=my-reviews] [data-review='{review.pk}']")
    expect(task).to_have_attribute("data-action", "self")
    task.get_by_role("link", name="填写自评").click()
    expect(page).to_have_url(re.compile(rf"/me/performance/reviews/{review.pk}/$"))
    expect(page.locator("[data-testid=okr-completion]")).to_have_text("35%")
    page.fill("textarea[name=self_assessment]", "本季度签约 500 万，完成拜访计划的一半。")
    page.select_option("select[name=rating]", "A")
    page.click("[data-testid=submit-self]")
    saved(page, "你的自评已提交给经理。")
    expect(page.locator("[data-testid=self-assessment]")).to_contain_text("本季度签约 500 万")

    # the rest of department A is assessed outside this journey (every review is rated before release)
    for key, rating in (("team_member", "B"), ("manager", "A")):
        other = reviews[emps[key].pk]
        services.review_self_assess(review=other, text="本季度工作总结。", actor=users[key])
        services.review_rate(review=other, rating=rating, comment="按期完成。", actor=users["hr"])

    # 6. the manager rates the employee B from the team reviews
    sign_in_as(page, login, "manager")
    page.goto(f"{base}/performance/reviews/team/")
    page.locator(f"[data-testid=waiting-table] tr[data-review='{review.pk}'] a.btn").click()
    expect(page.locator("[data-testid=self-assessment]")).to_contain_text("本季度签约 500 万")
    page.select_option("[data-testid=rate-form] select[name=rating]", "B")
    page.fill("[data-testid=rate-form] textarea[name=manager_comment]", "业绩达标，客户拜访需加强。")
    page.click("[data-testid=rate-submit]")
    saved(page, f"已保存 {emps['employee'].name} 的评级。")
    expect(page.locator("[data-testid=final-rating]")).to_contain_text("B")

    # 7. HR starts the calibration, reads the distribution and raises the employee to A with a reason
    sign_in_as(page, login, "hr")
    page.goto(f"{base}/performance/reviews/{cycle.pk}/")
    page.click("[data-testid=action-calibrate]")
    expect(page.locator("[data-testid=stepper] [aria-current=step]")).to_have_attribute("data-stage", "calibration")
    page.click("[data-testid=calibration-link]")
    whole = page.locator("[data-testid=distribution][data-group=dist-company]")
    expect(whole).to_contain_text("全公司")
    expect(whole.locator("tr[data-code=A] [data-field=count]")).to_have_text("1")
    expect(whole.locator("tr[data-code=B] [data-field=count]")).to_have_text("2")
    expect(whole.locator("tr[data-code=B] [data-field=share]")).to_have_text("66.67%")
    expect(whole.locator("tr[data-code=A] [data-field=guideline]")).to_have_text("20%")
    dept_a = page.locator(f"[data-testid=distribution][data-group=dist-dept-{org['a'].pk}]")
    expect(dept_a).to_contain_text(org["a"].name)
    expect(dept_a.locator("tr[data-code=B] [data-field=count]")).to_have_text("1")
    shot(page, "e2e-calibration-before")
    row = page.locator(f"tr#review-{review.pk}")
    row.locator("select[name=rating]").select_option("A")
    row.locator("input[name=reason]").fill("大客户项目贡献突出，经校准会议上调")
    row.get_by_role("button", name="调整").click()
    saved(page, f"已调整 {emps['employee'].name} 的评级。")
    row = page.locator(f"tr#review-{review.pk}")
    expect(row.locator("[data-field=reason]")).to_have_text("大客户项目贡献突出，经校准会议上调")
    expect(whole.locator("tr[data-code=A] [data-field=count]")).to_have_text("2")
    expect(whole.locator("tr[data-code=A] [data-field=over]")).to_have_text("超出指引")  # 66.67% > 20%
    expect(dept_a.locator("tr[data-code=A] [data-field=count]")).to_have_text("2")
    shot(page, "e2e-calibration-after")

    # 8. HR releases the results: the coefficients become the pay month's payroll input
    page.goto(f"{base}/performance/reviews/{cycle.pk}/")
    page.click("[data-testid=action-release]")
    expect(page.locator("[data-testid=stepper] [aria-current=step]")).to_have_attribute("data-stage", "released")
    expect(page.locator(".alert-success")).to_contain_text(f"{pay_month.year}年{pay_month.month}月")
    expect(page.locator(f"[data-testid=review-table] tr[data-review='{review.pk}']")).to_contain_text("1.2")

    # 9. the employee reads the calibrated result and acknowledges it
    sign_in_as(page, login, "employee")
    page.goto(f"{base}/me/performance/")
    task = page.locator(f"[data-testid=my-reviews] [data-review='{review.pk}']")
    expect(task).to_have_attribute("data-action", "acknowledge")
    task.get_by_role("link", name="查看并确认").click()
    expect(page.locator("[data-testid=final-rating]")).to_have_text("A")
    expect(page.locator("[data-testid=coefficient]")).to_contain_text("1.2")
    expect(page.locator("[data-testid=calibration-note]")).to_contain_text("HR 已将评级从 B 校准为 A")
    expect(page.locator("[data-testid=manager-comment]")).to_contain_text("客户拜访需加强")
    page.fill("[data-testid=acknowledge-form] textarea[name=comment]", "收到，下季度继续努力。")
    page.click("[data-testid=acknowledge]")
    saved(page, "谢谢，你已确认考核结果。")
    expect(page.locator("[data-testid=acknowledgement]")).to_contain_text("收到，下季度继续努力。")
    shot(page, "e2e-acknowledged")
    review.refresh_from_db()
    assert review.status == "acknowledged" and review.acknowledged_at is not None
    assert review.final_rating.code == "A" and review.manager_rating.code == "B"
    assert review.coefficient == D("1.2") and review.okr_completion == D("35")

    # 10. the next pay run uses the coefficient: 绩效奖金 = 岗位工资 (20,000 × 10%) × 1.2
    entry = PeriodInput.objects.get(employee=emps["employee"], period=pay_month, definition=coefficient_input)
    assert entry.source == "performance" and entry.value == D("1.2")
    run = run_factory(pay_month)
    line = PaySlipLine.objects.get(slip__run=run, slip__employee=emps["employee"], code="绩效奖金")
    assert line.amount == D("2000") * rating_scale["A"].coefficient == D("2400.00")
    b_line = PaySlipLine.objects.get(slip__run=run, slip__employee=emps["team_member"], code="绩效奖金")
    assert b_line.amount == D("2000.00")  # rated B: coefficient 1.0
    assert date(pay_month.year, pay_month.month, 1) == run.period
