"""Review cycle pages: the list, the cycle form, the cycle page with its stages and reviews, the
stage actions and the team's reviews; who reaches what, every stage move through the pages, the
refusals, and query budgets on the lists."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from payroll.models import PeriodInput
from performance.models import Review, ReviewCycle, ReviewEvent
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def submit_self(review, text="我完成了年度目标"):
    Review.objects.filter(pk=review.pk).update(status="manager", self_assessment=text, self_submitted_at=timezone.now())


def rate(review, level, user, comment="表现良好"):
    Review.objects.filter(pk=review.pk).update(
        status="rated",
        manager_rating=level,
        final_rating=level,
        manager_comment=comment,
        manager_rated_at=timezone.now(),
        rated_by=user,
    )


def queries(client, url) -> int:
    client.get(url)  # warm the per-process caches (company settings, translations)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def extra_reviews(cycle, department, n):
    for _ in range(n):
        e = EmployeeFactory(department=department)
        Review.objects.create(cycle=cycle, employee=e, department=department)


# --- the list of cycles ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status,sees",
    [
        ("hr", 200, True),
        ("hr_admin", 200, True),
        ("manager", 200, True),
        ("other_manager", 200, False),
        ("employee", 403, False),
        ("payroll", 403, False),
    ],
)
def test_cycle_list_per_role(client_for, review_cycle, role, status, sees):
    made = review_cycle()
    response = client_for(role).get(reverse("performance:review_cycles"))
    assert response.status_code == status
    if status == 200:
        assert (made.cycle.name in response.content.decode()) is sees


def test_cycle_list_anonymous_goes_to_login(client_for):
    response = client_for(None).get(reverse("performance:review_cycles"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_manager_does_not_see_draft_cycles(client_for, review_cycle):
    made = review_cycle(status="draft")
    assert made.cycle.name not in client_for("manager").get(reverse("performance:review_cycles")).content.decode()
    assert made.cycle.name in client_for("hr").get(reverse("performance:review_cycles")).content.decode()


def test_cycle_list_search_status_and_progress(client_for, review_cycle, rating_scale, people, english):
    made = review_cycle()
    rate(made.reviews["employee"], rating_scale["A"], people["users"]["manager"])
    other = review_cycle(status="draft")
    ReviewCycle.objects.filter(pk=other.cycle.pk).update(name="2025 年终考核")
    client = client_for("hr")
    page = client.get(reverse("performance:review_cycles"))
    rows = {c.pk: c for c in page.context["page_obj"]}
    assert (rows[made.cycle.pk].n_rated, rows[made.cycle.pk].n_total) == (1, 3)
    assert "1 of 3 rated" in page.content.decode()
    found = client.get(reverse("performance:review_cycles"), {"q": "年终"})
    assert [c.pk for c in found.context["page_obj"]] == [other.cycle.pk]
    drafts = client.get(reverse("performance:review_cycles"), {"status": "draft"})
    assert [c.pk for c in drafts.context["page_obj"]] == [other.cycle.pk]


def test_manager_progress_counts_only_their_reach(client_for, review_cycle, people, org, rating_scale):
    made = review_cycle()
    extra_reviews(made.cycle, org["b"], 2)  # outside the manager's reach
    page = client_for("manager").get(reverse("performance:review_cycles"))
    row = next(c for c in page.context["page_obj"] if c.pk == made.cycle.pk)
    assert row.n_total == 3


def test_cycle_list_query_count_does_not_grow(client_for, review_cycle, org):
    client = client_for("hr")
    review_cycle()
    few = queries(client, reverse("performance:review_cycles"))
    for _ in range(6):
        made = review_cycle()
        extra_reviews(made.cycle, org["b"], 2)
    assert queries(client, reverse("performance:review_cycles")) == few


def test_cycle_list_query_budget(client_for, review_cycle, django_assert_max_num_queries):
    for _ in range(5):
        review_cycle()
    client = client_for("manager")
    with django_assert_max_num_queries(16):
        assert client.get(reverse("performance:review_cycles")).status_code == 200


# --- the cycle form ---------------------------------------------------------------------------


def cycle_form_data(coefficient_input, org, **over):
    today = timezone.localdate()
    data = {
        "name": "2026 年度绩效考核",
        "okr_cycle": "",
        "departments": [org["a"].pk],
        "period_start": date(today.year, 1, 1).isoformat(),
        "period_end": date(today.year, 12, 31).isoformat(),
        "self_due": (today + timedelta(days=7)).isoformat(),
        "manager_due": (today + timedelta(days=14)).isoformat(),
        "calibration_required": "on",
        "pay_period": f"{today.year}-12",
        "coefficient_input": coefficient_input.pk,
    }
    data.update(over)
    return data


def test_new_cycle_form_defaults_to_the_coefficient_input(client_for, coefficient_input):
    response = client_for("hr").get(reverse("performance:review_cycle_new"))
    assert response.status_code == 200
    assert response.context["form"]["coefficient_input"].value() == coefficient_input.pk


def test_hr_creates_a_cycle(client_for, coefficient_input, org, people):
    response = client_for("hr").post(reverse("performance:review_cycle_new"), cycle_form_data(coefficient_input, org))
    cycle = ReviewCycle.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("performance:review_cycle", args=[cycle.pk])
    assert cycle.status == "draft" and cycle.created_by == people["users"]["hr"]
    assert list(cycle.departments.all()) == [org["a"]]
    assert cycle.pay_period == date(timezone.localdate().year, 12, 1)
    assert cycle.coefficient_input == coefficient_input and cycle.calibration_required


def test_cycle_form_refuses_a_period_ending_before_it_starts(client_for, coefficient_input, org, english):
    data = cycle_form_data(coefficient_input, org, period_end="2020-01-01")
    response = client_for("hr").post(reverse("performance:review_cycle_new"), data)
    assert response.status_code == 200
    assert "The period cannot end before it starts." in response.context["form"].errors["period_end"]
    assert not ReviewCycle.objects.exists()


def test_cycle_form_refuses_manager_due_before_self_due(client_for, coefficient_input, org, english):
    today = timezone.localdate()
    data = cycle_form_data(
        coefficient_input, org, manager_due=today.isoformat(), self_due=(today + timedelta(3)).isoformat()
    )
    response = client_for("hr").post(reverse("performance:review_cycle_new"), data)
    assert "The manager assessment is due after the self-assessment." in response.context["form"].errors["manager_due"]
    assert not ReviewCycle.objects.exists()


def test_hr_edits_a_draft_cycle(client_for, review_cycle, coefficient_input, org):
    made = review_cycle(status="draft")
    data = cycle_form_data(coefficient_input, org, name="改名后的考核", departments=[org["a"].pk, org["b"].pk])
    response = client_for("hr").post(reverse("performance:review_cycle_edit", args=[made.cycle.pk]), data)
    assert response.status_code == 302
    made.cycle.refresh_from_db()
    assert made.cycle.name == "改名后的考核"
    assert set(made.cycle.departments.all()) == {org["a"], org["b"]}


def test_launched_cycle_cannot_be_edited(client_for, review_cycle, coefficient_input, org, english):
    made = review_cycle()
    url = reverse("performance:review_cycle_edit", args=[made.cycle.pk])
    client = client_for("hr")
    assert client.get(url)["Location"] == reverse("performance:review_cycle", args=[made.cycle.pk])
    response = client.post(url, cycle_form_data(coefficient_input, org, name="改名"))
    assert "A launched review cycle's settings cannot be changed." in response.context["form"].non_field_errors()
    made.cycle.refresh_from_db()
    assert made.cycle.name == "2026 上半年绩效考核"


@pytest.mark.parametrize("role,status", [("manager", 403), ("employee", 403), ("payroll", 403)])
def test_only_hr_creates_cycles(client_for, coefficient_input, org, role, status):
    client = client_for(role)
    assert client.get(reverse("performance:review_cycle_new")).status_code == status
    assert (
        client.post(reverse("performance:review_cycle_new"), cycle_form_data(coefficient_input, org)).status_code
        == status
    )
    assert not ReviewCycle.objects.exists()


# --- the cycle page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status", [("hr", 200), ("manager", 200), ("other_manager", 404), ("employee", 403), ("payroll", 403)]
)
def test_cycle_page_per_role(client_for, review_cycle, role, status):
    made = review_cycle()
    assert client_for(role).get(reverse("performance:review_cycle", args=[made.cycle.pk])).status_code == status


def test_cycle_page_anonymous_goes_to_login(client_for, review_cycle):
    made = review_cycle()
    response = client_for(None).get(reverse("performance:review_cycle", args=[made.cycle.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_cycle_page_shows_stage_counts_and_hr_actions(client_for, review_cycle, rating_scale, people):
    made = review_cycle()
    submit_self(made.reviews["employee"])
    rate(made.reviews["team_member"], rating_scale["B"], people["users"]["manager"])
    response = client_for("hr").get(reverse("performance:review_cycle", args=[made.cycle.pk]))
    ctx = response.context
    assert [s["code"] for s in ctx["stages"] if s["current"]] == ["assessment"]
    assert [s["code"] for s in ctx["stages"] if s["done"]] == ["draft"]
    assert dict((v, n) for v, _label, n in ctx["statuses"]) == {
        "self": 1,
        "manager": 1,
        "rated": 1,
        "released": 0,
        "acknowledged": 0,
    }
    assert (ctx["rated"], ctx["total"]) == (1, 3)
    # calibration is required: release is not offered before it
    assert ctx["actions"] == ["calibrate"]
    assert 'data-testid="action-calibrate"' in response.content.decode()


def test_cycle_page_offers_release_without_calibration(client_for, review_cycle):
    made = review_cycle(calibration_required=False)
    response = client_for("hr").get(reverse("performance:review_cycle", args=[made.cycle.pk]))
    assert response.context["actions"] == ["calibrate", "release"]


def test_manager_sees_no_actions(client_for, review_cycle):
    made = review_cycle()
    response = client_for("manager").get(reverse("performance:review_cycle", args=[made.cycle.pk]))
    assert response.context["actions"] == []
    assert "action-calibrate" not in response.content.decode()


def test_cycle_page_lists_only_reviews_in_reach(client_for, review_cycle, people, org):
    made = review_cycle()
    made.cycle.departments.add(org["b"])
    for key in ("other_manager", "other_employee"):
        e = people["employees"][key]
        Review.objects.create(cycle=made.cycle, employee=e, department=e.department)
    url = reverse("performance:review_cycle", args=[made.cycle.pk])
    names = lambda role: {r.employee.name for r in client_for(role).get(url).context["page_obj"]}  # noqa: E731
    assert names("manager") == {"manager", "employee", "teammember"}
    assert names("other_manager") == {"othermanager", "other"}
    assert len(names("hr")) == 5


def test_cycle_page_search_and_filters(client_for, review_cycle, org):
    made = review_cycle()
    submit_self(made.reviews["employee"])
    url = reverse("performance:review_cycle", args=[made.cycle.pk])
    client = client_for("hr")
    pick = lambda **params: [r.employee.name for r in client.get(url, params).context["page_obj"]]  # noqa: E731
    assert pick(department=org["a_team"].pk) == ["teammember"]
    assert pick(status="manager") == ["employee"]
    assert pick(q="teamm") == ["teammember"]
    assert sorted(pick(department="x")) == ["employee", "manager", "teammember"]  # junk ignored


def test_managers_own_rating_is_hidden_on_the_cycle_page_until_release(client_for, review_cycle, rating_scale, people):
    made = review_cycle()
    rate(made.reviews["manager"], rating_scale["A+"], people["users"]["hr"])
    rate(made.reviews["employee"], rating_scale["C"], people["users"]["manager"])
    url = reverse("performance:review_cycle", args=[made.cycle.pk])
    rows = {r.employee.name: r for r in client_for("manager").get(url).context["page_obj"]}
    assert rows["manager"].hide_rating and not rows["employee"].hide_rating
    html = client_for("manager").get(url).content.decode()
    own_row = html.split(f'data-review="{made.reviews["manager"].pk}"')[1].split("</tr>")[0]
    assert ">A+<" not in own_row and "eye-slash" in own_row
    assert ">C<" in html.split(f'data-review="{made.reviews["employee"].pk}"')[1].split("</tr>")[0]


def test_cycle_page_query_count_does_not_grow(client_for, review_cycle, org, rating_scale, people):
    made = review_cycle()
    url = reverse("performance:review_cycle", args=[made.cycle.pk])
    client = client_for("hr")
    few = queries(client, url)
    extra_reviews(made.cycle, org["a"], 10)
    for review in made.cycle.reviews.all():
        rate(review, rating_scale["B"], people["users"]["manager"])
    assert queries(client, url) == few


def test_cycle_page_query_budget(client_for, review_cycle, org, django_assert_max_num_queries):
    made = review_cycle()
    extra_reviews(made.cycle, org["a"], 10)
    client = client_for("manager")
    with django_assert_max_num_queries(18):
        assert client.get(reverse("performance:review_cycle", args=[made.cycle.pk])).status_code == 200


# --- stage actions ----------------------------------------------------------------------------


def action(client, cycle, name):
    return client.post(reverse("performance:review_cycle_action", args=[cycle.pk, name]), follow=True)


def test_every_stage_through_the_pages(client_for, review_cycle, people, rating_scale, coefficient_input, english):
    made = review_cycle(status="draft")
    cycle = made.cycle
    hr, manager = client_for("hr"), client_for("manager")
    emps = people["employees"]

    response = action(hr, cycle, "launch")
    cycle.refresh_from_db()
    assert cycle.status == "assessment" and cycle.reviews.count() == 3
    assert any("The review cycle is open" in m for m in messages_of(response))
    reviews = {r.employee_id: r for r in cycle.reviews.all()}

    # everyone writes and submits their self-assessment in self-service
    for key in ("manager", "employee", "team_member"):
        r = reviews[emps[key].pk]
        client_for(key).post(
            reverse("myperformance:review", args=[r.pk]), {"self_assessment": "完成目标", "action": "submit"}
        )
    assert set(cycle.reviews.values_list("status", flat=True)) == {"manager"}

    # the manager rates their team; HR rates the manager
    for key, code in (("employee", "A"), ("team_member", "B")):
        manager.post(
            reverse("performance:review_detail", args=[reviews[emps[key].pk].pk]),
            {"rating": code, "manager_comment": "认真负责"},
        )
    hr.post(
        reverse("performance:review_detail", args=[reviews[emps["manager"].pk].pk]),
        {"rating": "A+", "manager_comment": "带领团队超额完成"},
    )
    assert set(cycle.reviews.values_list("status", flat=True)) == {"rated"}

    # calibration is required: release straight from assessment is refused
    response = action(hr, cycle, "release")
    assert "This cycle is calibrated by HR before its results are released." in messages_of(response)
    cycle.refresh_from_db()
    assert cycle.status == "assessment"

    action(hr, cycle, "calibrate")
    cycle.refresh_from_db()
    assert cycle.status == "calibration"
    employee_review = reviews[emps["employee"].pk]
    hr.post(
        reverse("performance:review_calibrate", args=[employee_review.pk]),
        {"rating": "B", "reason": "部门 A 比例超出指引"},
    )
    employee_review.refresh_from_db()
    assert (employee_review.manager_rating.code, employee_review.final_rating.code) == ("A", "B")

    response = action(hr, cycle, "release")
    cycle.refresh_from_db()
    assert cycle.status == "released"
    assert any("payroll input" in m for m in messages_of(response))
    inputs = dict(
        PeriodInput.objects.filter(period=cycle.pay_period, definition=coefficient_input).values_list(
            "employee_id", "value"
        )
    )
    assert inputs == {emps["manager"].pk: D("1.5"), emps["employee"].pk: D("1.0"), emps["team_member"].pk: D("1.0")}

    client_for("employee").post(reverse("myperformance:review_acknowledge", args=[employee_review.pk]), {"comment": ""})
    employee_review.refresh_from_db()
    assert employee_review.status == "acknowledged"

    action(hr, cycle, "close")
    cycle.refresh_from_db()
    assert cycle.status == "closed"
    actions = list(ReviewEvent.objects.filter(cycle=cycle, review=None).values_list("action", flat=True))
    assert actions == ["launched", "calibration", "released", "closed"]

    # a closed cycle refuses any further rating
    response = manager.post(
        reverse("performance:review_detail", args=[employee_review.pk]), {"rating": "A", "manager_comment": "改"}
    )
    assert "closed" in " ".join(response.context["form"].non_field_errors())
    employee_review.refresh_from_db()
    assert employee_review.final_rating.code == "B"


def test_release_refused_while_people_are_unrated(client_for, review_cycle, rating_scale, people, english):
    made = review_cycle(status="calibration")
    rate(made.reviews["employee"], rating_scale["A"], people["users"]["manager"])
    response = action(client_for("hr"), made.cycle, "release")
    assert any("2 reviews are not rated yet" in m for m in messages_of(response))
    made.cycle.refresh_from_db()
    assert made.cycle.status == "calibration"
    assert not PeriodInput.objects.exists()
    assert set(made.cycle.reviews.values_list("status", flat=True)) == {"self", "rated"}


def test_launch_refused_on_a_closed_cycle(client_for, review_cycle, english):
    made = review_cycle(status="closed")
    response = action(client_for("hr"), made.cycle, "launch")
    assert any("is closed; it can no longer be changed" in m for m in messages_of(response))
    made.cycle.refresh_from_db()
    assert made.cycle.status == "closed"


def test_launch_refused_once_launched(client_for, review_cycle, english):
    # calibration -> assessment is allowed (a re-rating), but never through a second launch
    made = review_cycle(status="calibration")
    page = client_for("hr").get(reverse("performance:review_cycle", args=[made.cycle.pk]))
    assert page.context["actions"] == ["release"]
    response = action(client_for("hr"), made.cycle, "launch")
    assert "This review cycle has already been launched." in messages_of(response)
    made.cycle.refresh_from_db()
    assert made.cycle.status == "calibration" and not ReviewEvent.objects.exists()


def test_close_refused_before_release(client_for, review_cycle, english):
    made = review_cycle()
    response = action(client_for("hr"), made.cycle, "close")
    assert any("cannot go from" in m for m in messages_of(response))
    made.cycle.refresh_from_db()
    assert made.cycle.status == "assessment"


@pytest.mark.parametrize("role,status", [("manager", 403), ("employee", 403), (None, 302)])
def test_only_hr_moves_a_cycle(client_for, review_cycle, role, status):
    made = review_cycle(status="draft")
    response = client_for(role).post(reverse("performance:review_cycle_action", args=[made.cycle.pk, "launch"]))
    assert response.status_code == status
    made.cycle.refresh_from_db()
    assert made.cycle.status == "draft" and not made.cycle.reviews.exists()


def test_unknown_action_and_get_are_refused(client_for, review_cycle):
    made = review_cycle(status="draft")
    client = client_for("hr")
    assert client.post(reverse("performance:review_cycle_action", args=[made.cycle.pk, "delete"])).status_code == 404
    assert client.get(reverse("performance:review_cycle_action", args=[made.cycle.pk, "launch"])).status_code == 405
    made.cycle.refresh_from_db()
    assert made.cycle.status == "draft"


# --- team reviews -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status", [("manager", 200), ("other_manager", 200), ("hr", 200), ("employee", 403), (None, 302)]
)
def test_team_reviews_per_role(client_for, review_cycle, role, status):
    review_cycle()
    assert client_for(role).get(reverse("performance:team_reviews")).status_code == status


def test_team_reviews_lists_what_waits_for_the_manager(client_for, review_cycle, rating_scale, people):
    made = review_cycle()
    submit_self(made.reviews["employee"])
    rate(made.reviews["team_member"], rating_scale["B"], people["users"]["manager"])
    response = client_for("manager").get(reverse("performance:team_reviews"))
    assert [r.pk for r in response.context["to_rate"]] == [made.reviews["employee"].pk]
    assert [r.pk for r in response.context["own"]] == [made.reviews["manager"].pk]  # their own self-assessment
    team = {r.employee.name for r in response.context["page_obj"]}
    assert team == {"employee", "teammember"}  # not their own review
    assert reverse("myperformance:review", args=[made.reviews["manager"].pk]) in response.content.decode()

    other = client_for("other_manager").get(reverse("performance:team_reviews"))
    assert other.context["to_rate"] == [] and list(other.context["page_obj"]) == []


def test_team_reviews_leave_out_closed_cycles_and_filter(client_for, review_cycle):
    review_cycle(status="closed")
    made = review_cycle()
    submit_self(made.reviews["employee"])
    client = client_for("manager")
    response = client.get(reverse("performance:team_reviews"))
    assert {r.cycle_id for r in response.context["page_obj"]} == {made.cycle.pk}
    found = client.get(reverse("performance:team_reviews"), {"status": "manager"})
    assert [r.employee.name for r in found.context["page_obj"]] == ["employee"]


def test_team_reviews_query_count_does_not_grow(client_for, review_cycle, org):
    made = review_cycle()
    client = client_for("manager")
    few = queries(client, reverse("performance:team_reviews"))
    extra_reviews(made.cycle, org["a"], 10)
    Review.objects.filter(cycle=made.cycle).update(status="manager", self_submitted_at=timezone.now())
    assert queries(client, reverse("performance:team_reviews")) == few


def test_status_badges_are_the_shared_badge_with_the_translated_labels(client_for, review_cycle, okr):
    """Cycle stages, review statuses and OKR cycle statuses use {% status_badge %}: one colour
    per code (hrsuite.core.templatetags.ui.STATUS_COLOURS), labelled with the choice's label in
    the page's language."""
    from django.utils import translation

    from hrsuite.core.templatetags.ui import status_badge
    from performance.choices import OkrStatus, ReviewCycleStatus, ReviewStatus

    made = review_cycle(status="assessment")
    client = client_for("hr")
    with translation.override("zh-hans"):
        stage = status_badge("assessment", ReviewCycleStatus.ASSESSMENT.label)
        review = status_badge("self", ReviewStatus.SELF.label)
        okr_status = status_badge("open", OkrStatus.OPEN.label)
        assert str(ReviewCycleStatus.ASSESSMENT.label) != "Self and manager assessment"  # translated
    assert "text-bg-primary status-assessment" in stage and "text-bg-warning status-self" in review
    assert "text-bg-success status-open" in okr_status
    cycle_page = client.get(reverse("performance:review_cycle", args=[made.cycle.pk])).content.decode()
    assert stage in cycle_page and review in cycle_page
    assert stage in client.get(reverse("performance:review_cycles")).content.decode()
    assert okr_status in client.get(reverse("performance:okr_cycles")).content.decode()
    assert okr_status in client.get(reverse("performance:okr_cycle", args=[okr.cycle.pk])).content.decode()
