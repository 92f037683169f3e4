"""The rating table page (HR): the scale with its coefficients, raise guidelines and guideline
shares, and its create and edit forms with the service's refusals."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from performance.models import RatingLevel

pytestmark = pytest.mark.django_db


def form_data(**over):
    data = {
        "code": "S",
        "label": "超级",
        "rank": 6,
        "coefficient": "2.0",
        "raise_up_to": "20",
        "guideline_share": "",
        "is_active": "on",
    }
    data.update(over)
    return data


@pytest.mark.parametrize(
    "role,status", [("hr", 200), ("hr_admin", 200), ("manager", 403), ("employee", 403), ("payroll", 403)]
)
def test_rating_table_per_role(client_for, rating_scale, role, status):
    assert client_for(role).get(reverse("performance:ratings")).status_code == status


def test_rating_table_anonymous_goes_to_login(client_for):
    response = client_for(None).get(reverse("performance:ratings"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_rating_table_lists_the_scale_and_explains_the_payroll_input(client_for, rating_scale, english):
    response = client_for("hr").get(reverse("performance:ratings"))
    assert [level.code for level in response.context["levels"]] == ["A+", "A", "B", "C", "D"]
    assert response.context["guideline_total"] == D(100)
    html = response.content.decode()
    row = html.split('data-rating="A+"')[1].split("</tr>")[0]
    assert "卓越" in row and "1.50" in row and "15%" in row and "10%" in row
    assert "becomes the payroll input" in html


def test_hr_adds_a_rating(client_for, rating_scale):
    response = client_for("hr").post(reverse("performance:rating_new"), form_data(code=" s "))
    assert response.status_code == 302 and response["Location"] == reverse("performance:ratings")
    level = RatingLevel.objects.get(rank=6)
    assert level.code == "S" and level.coefficient == D("2.0") and level.guideline_share is None


def test_a_duplicate_code_is_refused(client_for, rating_scale, english):
    response = client_for("hr").post(reverse("performance:rating_new"), form_data(code="a+"))
    assert response.context["form"].errors["code"] == ["This rating already exists."]
    assert RatingLevel.objects.count() == 5


def test_a_duplicate_rank_is_refused(client_for, rating_scale, english):
    response = client_for("hr").post(reverse("performance:rating_new"), form_data(rank=3))
    assert response.context["form"].errors["rank"] == ["Another rating has this rank."]
    assert RatingLevel.objects.count() == 5


def test_a_coefficient_out_of_range_is_refused(client_for, rating_scale):
    response = client_for("hr").post(reverse("performance:rating_new"), form_data(coefficient="9"))
    assert "coefficient" in response.context["form"].errors
    assert RatingLevel.objects.count() == 5


def test_hr_edits_a_rating(client_for, rating_scale):
    b = rating_scale["B"]
    data = form_data(code="B", label="达标", rank=3, coefficient="1.1", raise_up_to="6", guideline_share="45")
    response = client_for("hr").post(reverse("performance:rating_edit", args=[b.pk]), data)
    assert response.status_code == 302
    b.refresh_from_db()
    assert (b.coefficient, b.raise_up_to, b.guideline_share) == (D("1.1"), D("6"), D("45"))


def test_editing_keeps_the_title_of_the_stored_rating(client_for, rating_scale, english):
    b = rating_scale["B"]
    response = client_for("hr").post(reverse("performance:rating_edit", args=[b.pk]), form_data(code="A", rank=3))
    assert response.context["form"].errors["code"] == ["This rating already exists."]
    assert response.context["page_title"] == "Edit the rating “B”"
    b.refresh_from_db()
    assert b.code == "B"


@pytest.mark.parametrize("role", ["manager", "employee"])
def test_only_hr_changes_the_table(client_for, rating_scale, role):
    b = rating_scale["B"]
    client = client_for(role)
    assert client.post(reverse("performance:rating_new"), form_data()).status_code == 403
    assert client.post(reverse("performance:rating_edit", args=[b.pk]), form_data(code="B", rank=3)).status_code == 403
    assert RatingLevel.objects.count() == 5
    b.refresh_from_db()
    assert b.coefficient == D("1.0")
