"""Handover templates: the services (offsets 0-60, kinds, one active template per target, items
saved and deleted with the template) and the pages (HR only)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from offboarding import services_cases as svc
from offboarding.models import HandoverTemplate, TemplateItem
from offboarding.services import CaseRefused

pytestmark = pytest.mark.django_db


def test_template_save_with_items(people, org):
    t = svc.template_save(
        template=HandoverTemplate(name=" 销售交接 ", department=org["b"]),
        items=[
            TemplateItem(kind="customer", title="客户基本信息", due_offset_days=5, order=1),
            TemplateItem(kind="documents", title="合同扫描件", attachment_required=True, due_offset_days=0, order=2),
        ],
        actor=people["users"]["hr"],
    )
    assert t.name == "销售交接"
    assert list(t.items.values_list("title", "attachment_required", "due_offset_days")) == [
        ("客户基本信息", False, 5),
        ("合同扫描件", True, 0),
    ]


@pytest.mark.parametrize("offset", [-1, 61])
def test_offset_out_of_range_refused(people, handover_template, english, offset):
    item = TemplateItem(template=handover_template, kind="general", title="x", due_offset_days=offset)
    with pytest.raises(ValidationError) as exc:
        svc.template_item_save(item=item, actor=people["users"]["hr"])
    assert "between 0 and 60 days" in " ".join(exc.value.message_dict["due_offset_days"])
    with pytest.raises(ValidationError):
        svc.template_save(template=handover_template, items=[item], actor=people["users"]["hr"])
    assert handover_template.items.count() == 4


def test_unknown_kind_refused(people, handover_template, english):
    with pytest.raises(ValidationError) as exc:
        svc.template_item_save(
            item=TemplateItem(template=handover_template, kind="bogus", title="x"), actor=people["users"]["hr"]
        )
    assert "kind" in exc.value.message_dict


def test_one_active_template_per_target(people, handover_template, org, english):
    with pytest.raises(ValidationError, match="already applies"):
        svc.template_save(template=HandoverTemplate(name="另一个", department=org["a"]), actor=people["users"]["hr"])
    t = svc.template_save(
        template=HandoverTemplate(name="另一个", department=org["a"], is_active=False), actor=people["users"]["hr"]
    )
    assert not t.is_active


def test_template_item_delete(people, handover_template):
    item = handover_template.items.first()
    svc.template_save(template=handover_template, delete=[item], actor=people["users"]["hr"])
    assert handover_template.items.count() == 3


def test_templates_are_hr_only(people, handover_template, english):
    with pytest.raises(CaseRefused, match="Only HR"):
        svc.template_save(template=handover_template, actor=people["users"]["manager"])


@pytest.mark.parametrize(
    "role,expected", [("hr", 200), ("hr_admin", 200), ("manager", 403), ("employee", 403), ("payroll", 403)]
)
def test_template_pages_permissions(client_for, handover_template, role, expected):
    c = client_for(role)
    assert c.get(reverse("offboarding:templates")).status_code == expected
    assert c.get(reverse("offboarding:template_edit", args=[handover_template.pk])).status_code == expected
    assert c.get(reverse("offboarding:template_create")).status_code == expected


def test_template_pages_anonymous(client_for):
    assert client_for(None).get(reverse("offboarding:templates")).status_code == 302


def _formset_data(template, rows, extra=()):
    data = {
        "items-TOTAL_FORMS": str(len(rows) + len(extra)),
        "items-INITIAL_FORMS": str(len(rows)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for i, item in enumerate(list(rows) + list(extra)):
        for key, value in item.items():
            data[f"items-{i}-{key}"] = value
    return data


def test_template_edit_page_saves_items(client_for, handover_template, org):
    existing = list(handover_template.items.order_by("order", "pk"))
    rows = [
        {
            "id": t.pk,
            "kind": t.kind,
            "title": t.title,
            "due_offset_days": t.due_offset_days,
            "order": t.order,
            **({"attachment_required": "on"} if t.attachment_required else {}),
        }
        for t in existing
    ]
    rows[0]["title"] = "客户基本信息（含联系人）"
    rows[1]["DELETE"] = "on"
    new = [{"kind": "general", "title": "在办事项", "due_offset_days": "1", "order": "9"}]
    data = {"name": handover_template.name, "department": org["a"].pk, "is_active": "on"}
    data.update(_formset_data(handover_template, rows, new))
    response = client_for("hr").post(reverse("offboarding:template_edit", args=[handover_template.pk]), data)
    assert response.status_code == 302
    titles = list(handover_template.items.values_list("title", flat=True))
    assert "客户基本信息（含联系人）" in titles and "在办事项" in titles and existing[1].title not in titles
    assert len(titles) == 4


def test_template_edit_page_shows_errors(client_for, handover_template, org):
    data = {"name": "新模板", "is_active": "on"}
    data.update(_formset_data(None, [], [{"kind": "general", "title": "x", "due_offset_days": "99", "order": "0"}]))
    response = client_for("hr").post(reverse("offboarding:template_create"), data)
    assert response.status_code == 200
    assert HandoverTemplate.objects.count() == 1


def test_template_create_page(client_for, org):
    data = {"name": "默认交接清单", "is_active": "on"}
    data.update(
        _formset_data(None, [], [{"kind": "general", "title": "在办事项", "due_offset_days": "2", "order": "0"}])
    )
    response = client_for("hr").post(reverse("offboarding:template_create"), data)
    t = HandoverTemplate.objects.get(name="默认交接清单")
    assert response.status_code == 302 and t.items.count() == 1
    body = client_for("hr").get(reverse("offboarding:templates")).content.decode()
    assert "默认交接清单" in body
