"""A successor does not read the leaver's never-submitted draft: not on the page, not by the
attachment's URL."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from offboarding import services_items
from tests.training.qualification_fixtures import PDF

pytestmark = pytest.mark.django_db


def test_successor_gets_the_file_only_after_the_item_is_submitted(open_case, people, client_for):
    oc = open_case()
    item = oc.items[3]  # documents: upload required
    leaver = people["users"]["employee"]
    attachment = services_items.attachment_add(
        item=item, upload=SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf"), actor=leaver
    )
    url = reverse("offboarding:attachment_download", args=[attachment.pk])
    assert client_for("team_member").get(url).status_code == 404
    assert client_for("employee").get(url).status_code == 200
    assert client_for("hr").get(url).status_code == 200
    services_items.item_submit(item=item, actor=leaver, data={"description": "合同扫描件与往来邮件"})
    assert client_for("team_member").get(url).status_code == 200
