"""In the browser: an employee opens the alignment tree, goes to their objective, reports a
month's progress, and edits its key results watching the running weight total (a total of 90%
is refused on the page with nothing saved; 100% saves)."""

import os
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from playwright.sync_api import expect

from performance.models import KeyResult

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    """Screenshots for a person to look at, when SCREENSHOTS=<directory> is set."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_employee_updates_progress_and_balances_the_weights(page, login, live_server, okr):
    login(page, "employee")
    page.goto(f"{live_server.url}/performance/okr/{okr.cycle.pk}/")
    tree = page.locator("[data-testid=okr-tree]")
    expect(tree).to_contain_text(okr.company.title)
    expect(tree).to_contain_text(okr.mine.title)
    shot(page, "okr-tree")
    tree.locator(f"[data-objective='{okr.mine.pk}'] > .card a.fw-semibold").click()
    expect(page.locator("h1.page-title")).to_contain_text(okr.mine.title)

    form = page.locator(f"#kr-{okr.revenue.pk} form[data-testid=progress-form]")
    form.locator("input[name=value]").fill("500")
    form.locator("textarea[name=comment]").fill("签约三单")
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(f"#kr-{okr.revenue.pk} [data-testid=kr-history]")).to_contain_text("签约三单")
    expect(page.locator("[data-testid=objective-completion]")).to_have_text("30.00%")  # 50% of 60
    shot(page, "okr-objective")

    page.click("[data-testid=objective-krs]")
    total = page.locator("[data-testid=weight-total]")
    expect(total).to_have_text("100")
    page.fill("input[name='kr-0-weight']", "50")
    expect(total).to_have_text("90")
    expect(page.locator("[data-kr-total-hint]")).to_be_visible()
    page.click("[data-testid=key-results-save]")
    expect(page.locator("[data-testid=form-errors]")).to_be_visible()
    assert KeyResult.objects.get(pk=okr.revenue.pk).weight == D(60)
    shot(page, "okr-key-results-refused")

    page.click("[data-kr-add]")
    page.fill("input[name='kr-4-title']", "回款率")
    page.fill("input[name='kr-4-target_value']", "95")
    page.fill("input[name='kr-4-weight']", "10")
    expect(total).to_have_text("100")
    expect(page.locator("[data-kr-total-hint]")).to_be_hidden()
    page.click("[data-testid=key-results-save]")
    expect(page.locator(".alert-success")).to_be_visible()
    assert list(okr.mine.key_results.order_by("order").values_list("weight", flat=True)) == [D(50), D(40), D(10)]
    assert okr.mine.key_results.get(title="回款率").owner == okr.mine.owner
    assert date.today().replace(day=1) == okr.revenue.updates.get().month
