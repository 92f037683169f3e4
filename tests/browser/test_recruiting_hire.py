"""From offer to first day, in a real browser: HR prepares an offer for a candidate at the offer
stage, a second HR colleague approves it and downloads the letter, HR records the acceptance and
hires; the new employee sets a password through the welcome link, signs in and sees their
onboarding checklist. Screenshots of the offer, onboarding and analytics pages."""

import io
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from employees.models import Employee
from recruiting.models import Offer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "var/screenshots"
NEW_PASSWORD = "Xin-yuan-gong-2026!"


def _sign_out(page):
    page.context.clear_cookies()


def test_offer_approval_hire_and_first_sign_in(page, login, live_server, people, make_application, courses_for_hire):
    app = make_application(name="陈思远", email="chensiyuan@example.com", stage="offer")
    app.candidate.phone = "13912345678"
    app.candidate.save()

    # HR prepares the offer (prefilled from the requisition)
    login(page, "hr")
    page.goto(f"{live_server.url}/recruiting/applications/{app.pk}/offer/new/")
    expect(page.locator("#id_position")).to_have_value(str(app.posting.requisition.position_id))
    page.fill("#id_monthly_salary", "36000")
    page.click('[data-testid="save-offer"]')
    page.wait_for_url(re.compile(r"/recruiting/offers/\d+/$"))
    offer = Offer.objects.get(application=app)
    expect(page.locator(".alert-info")).to_be_visible()  # four eyes: not the author
    expect(page.locator('[data-testid="approve"]')).to_have_count(0)

    # a second HR colleague approves and downloads the letter
    _sign_out(page)
    login(page, "hr_admin")
    page.goto(f"{live_server.url}/recruiting/offers/{offer.pk}/")
    page.click('[data-testid="approve"]')
    expect(page.locator('[data-testid="letter-hash"]')).to_be_visible()
    offer.refresh_from_db()
    assert offer.status == "approved" and len(offer.letter_hash) == 64
    with page.expect_download() as download:
        page.click('[data-testid="download-letter"]')
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "".join(p.extract_text() for p in pdf.pages).replace("\n", "").replace(" ", "")
    assert "陈思远" in text and "36,000.00" in text and offer.letter_hash in text
    assert any(m.to == ["chensiyuan@example.com"] and m.attachments for m in mail.outbox)
    page.screenshot(path=f"{SCREENSHOTS}/recruiting-offer-detail.png", full_page=True)

    # HR records the acceptance and hires
    page.check("input[name=answer][value=accepted]")
    page.click('[data-testid="record-answer"]')
    page.click('[data-testid="hire"]')
    page.wait_for_url(re.compile(r"/recruiting/onboarding/\d+/$"))
    employee = Employee.objects.get(email="chensiyuan@example.com")
    expect(page.locator('[data-testid="task"]')).to_have_count(employee.onboarding_tasks.count())
    assert employee.onboarding_tasks.filter(kind="training").exists()
    page.locator('[data-testid="tick"]').first.click()  # HR ticks an HR task
    expect(page.locator(".bi-check-circle-fill")).to_have_count(1)
    page.screenshot(path=f"{SCREENSHOTS}/recruiting-onboarding-detail.png", full_page=True)

    # the recruiting analytics now show the hire
    page.goto(f"{live_server.url}/recruiting/analytics/")
    expect(page.locator('[data-testid="funnel"]')).to_be_visible()
    page.wait_for_timeout(500)  # let the charts draw
    page.screenshot(path=f"{SCREENSHOTS}/recruiting-analytics.png", full_page=True)

    # the new employee sets a password through the welcome link and signs in
    _sign_out(page)
    welcome = next(m for m in mail.outbox if m.to == ["chensiyuan@example.com"] and "/me/onboarding/welcome/" in m.body)
    link = re.search(r"https?://\S+/me/onboarding/welcome/\S+", welcome.body).group(0)
    page.goto(live_server.url + link[link.index("/me/onboarding/") :])
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click('[data-testid="set-password"]')
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=username]", employee.user.username)
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/me/onboarding/")
    expect(page.locator(".page-title")).to_be_visible()
    mine = employee.onboarding_tasks.filter(owner="employee").count()
    others = employee.onboarding_tasks.exclude(owner="employee").count()
    expect(page.locator('[data-testid="task"]')).to_have_count(mine + others)
    expect(page.locator('a[href="/me/training/"]').first).to_be_visible()
    page.locator('[data-testid="tick"]').first.click()  # their own documents task
    page.wait_for_url(re.compile(r"/me/onboarding/$"))
    assert employee.onboarding_tasks.filter(owner="employee", done_at__isnull=False).count() == 1
    page.screenshot(path=f"{SCREENSHOTS}/recruiting-my-onboarding.png", full_page=True)


@pytest.fixture
def courses_for_hire(hiring, org):
    from decimal import Decimal

    from training.models import Course, CourseRequirement

    sec = Course.objects.create(code="SEC-101", title="信息安全意识培训", hours=Decimal("2"))
    CourseRequirement.objects.create(course=sec, department=org["hq"], due_days_after_hire=14)
    return [sec]
