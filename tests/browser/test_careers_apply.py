"""A candidate applies on the public careers page in a real browser (no login) with a DOCX
resume; HR then finds the application at the top of the posting's ranked list with its score
and matched keywords."""

import re

import pytest
from playwright.sync_api import expect

from recruiting.models import Application
from tests.recruiting.fixtures import docx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "var/screenshots"
RESUME = """李明 · 风控建模工程师
手机：13800138000  邮箱：liming@example.com
工作经历
2019–2025 某股份制银行 信用风险部
· 负责零售信贷的金融风控模型，使用 Python 与 XGBoost 构建评分卡
· 搭建基于机器学习的反欺诈系统，欺诈损失下降 35%
教育背景
复旦大学 统计学 硕士"""


def test_candidate_applies_and_hr_sees_the_ranked_application(
    page, live_server, login, hiring, make_application, tmp_path
):
    make_application("赵强", "zhaoqiang@example.com", text="十年销售经验，熟悉 Python。")
    resume = tmp_path / "李明-简历.docx"
    resume.write_bytes(docx_bytes(RESUME))

    # the public careers page, no login
    page.goto(f"{live_server.url}/careers/")
    card = page.locator(f'[data-posting="{hiring.posting.pk}"]')
    expect(card).to_contain_text("风控建模工程师")
    expect(card).to_contain_text("技术部")
    page.screenshot(path=f"{SCREENSHOTS}/careers-list.png", full_page=True)
    card.click()
    page.wait_for_url(re.compile(rf"/careers/{hiring.posting.pk}/$"))
    expect(page.locator("h1")).to_have_text("风控建模工程师")
    expect(page.locator("#content")).not_to_contain_text("机器学习")  # keywords stay internal
    page.screenshot(path=f"{SCREENSHOTS}/careers-posting.png", full_page=True)

    page.click('[data-testid="apply-link"]')
    page.wait_for_url(re.compile(r"/apply/$"))
    page.fill("input[name=name]", "李明")
    page.fill("input[name=email]", "LiMing@Example.com")
    page.fill("input[name=phone]", "13800138000")
    page.select_option("select[name=source]", "job_board")
    page.set_input_files("input[name=resume]", str(resume))
    page.fill("textarea[name=cover_letter]", "希望加入贵公司的风控团队。")
    box = page.locator("input[name=website]").bounding_box()
    assert box["x"] + box["width"] < 0  # the honeypot is off screen for people
    page.check("input[name=consent]")
    page.screenshot(path=f"{SCREENSHOTS}/careers-apply.png", full_page=True)
    page.click('[data-testid="apply-submit"]')
    page.wait_for_url(re.compile(r"/apply/thanks/$"))
    expect(page.locator('[data-testid="thanks"]')).to_contain_text("风控建模工程师")
    page.screenshot(path=f"{SCREENSHOTS}/careers-thanks.png", full_page=True)

    app = Application.objects.get(candidate__email="liming@example.com")
    assert app.score == 100 and app.source == "job_board"

    # HR sees it first in the ranked list, with its score and matched keywords
    login(page, "hr")
    page.goto(f"{live_server.url}/recruiting/postings/{hiring.posting.pk}/applications/")
    first = page.locator('[data-testid="applications"] tbody tr').first
    expect(first).to_contain_text("李明")
    expect(first.locator('[data-testid="score"]')).to_have_text("100.0")
    for term in ("机器学习", "金融风控", "Python"):
        expect(first.locator('[data-testid="matched"]', has_text=term)).to_have_count(1)
    second = page.locator('[data-testid="applications"] tbody tr').nth(1)
    expect(second).to_contain_text("赵强")
    expect(second.locator('[data-testid="missing"]')).to_contain_text("机器学习")
    page.screenshot(path=f"{SCREENSHOTS}/recruiting-posting-applications.png", full_page=True)

    # the posting page with its keyword editor, and the requisitions list
    page.goto(f"{live_server.url}/recruiting/postings/{hiring.posting.pk}/")
    expect(page.locator('[data-testid="keywords-form"] input[value="机器学习"]')).to_have_count(1)
    page.screenshot(path=f"{SCREENSHOTS}/recruiting-posting-detail.png", full_page=True)
    page.goto(f"{live_server.url}/recruiting/requisitions/")
    expect(page.locator('[data-testid="requisitions"]')).to_contain_text("风控建模工程师")
    page.screenshot(path=f"{SCREENSHOTS}/recruiting-requisitions.png", full_page=True)

    page.goto(f"{live_server.url}/recruiting/postings/{hiring.posting.pk}/applications/")
    page.locator('[data-testid="applications"] tbody tr').first.locator("a").first.click()
    page.wait_for_url(re.compile(rf"/recruiting/applications/{app.pk}/$"))
