"""Simplified Chinese is the default and complete; English is the second language."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

CATALOGUES = sorted(
    p for p in Path(settings.BASE_DIR).glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts
)


def test_catalogues_exist():
    assert Path(settings.BASE_DIR, "locale/zh_Hans/LC_MESSAGES/django.po") in CATALOGUES
    assert len(CATALOGUES) >= 2


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_catalogue_is_complete(path):
    po = polib.pofile(str(path))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_placeholders_survive_translation(path):
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\w*(?::\w+)?\}")
    for e in polib.pofile(str(path)):
        if e.obsolete or not e.msgstr:
            continue
        assert sorted(pattern.findall(e.msgid)) == sorted(pattern.findall(e.msgstr)), e.msgid


def test_default_language_is_chinese(client_for):
    page = client_for("hr_admin").get(reverse("core:dashboard"))
    assert '<html lang="zh-hans">' in page.text
    assert "工作台" in page.text and "Dashboard" not in page.text


def test_language_switch_to_english_and_back(client_for):
    client = client_for("hr_admin")
    client.post(reverse("set_language"), {"language": "en", "next": "/dashboard/"})
    page = client.get(reverse("core:dashboard"))
    assert '<html lang="en">' in page.text
    assert "Dashboard" in page.text and "工作台" not in page.text
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/dashboard/"})
    assert "工作台" in client.get(reverse("core:dashboard")).text


def test_no_english_source_string_leaks_into_chinese_pages(client_for):
    """Every msgid of our catalogues that a page shows must appear translated: render the main
    pages of each role in Chinese and look for any English msgid of three words or more."""
    msgids = set()
    for path in CATALOGUES:
        for e in polib.pofile(str(path)):
            if len(e.msgid.split()) >= 3 and "%" not in e.msgid and "{" not in e.msgid:
                msgids.add(e.msgid)
    pages = {
        "hr_admin": [
            "core:dashboard",
            "audit:list",
            "ops:health_page",
            "employees:list",
            "employees:create",
            "employees:requests",
            "employees:org",
            "employees:import",
            "employees:analytics",
            "employees:targets",
            "notifications:list",
        ],
        "manager": ["core:dashboard", "employees:list", "employees:team"],
        "employee": ["core:dashboard", "selfservice:home", "selfservice:profile"],
    }
    for role, names in pages.items():
        client = client_for(role)
        for name in names:
            text = client.get(reverse(name)).text
            leaked = [m for m in msgids if m in text]
            assert leaked == [], (role, name, leaked)


def test_error_pages_are_translated(client_for):
    response = client_for("employee").get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.text
