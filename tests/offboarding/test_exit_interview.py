"""The exit interview: a named survey of kind "exit" with the fixed questions, sent once per case,
only to the leaver, who answers it under /me/surveys/; the answers are HR's only (the department
head, the successor and the leaver cannot open the results)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from offboarding.exit_interview import QUESTIONS, exit_interview_send
from offboarding.models import CaseEvent, SeparationCase
from offboarding.revocation import revoke_access
from surveys.models import QuestionKind, Survey, SurveyInvitation, SurveyResponse

pytestmark = pytest.mark.django_db


def test_send_creates_the_survey_and_invites_only_the_leaver(people, open_case):
    oc = open_case()
    result = exit_interview_send(case=oc.case, actor=people["users"]["hr"])
    assert result.created
    survey = result.survey
    assert survey.kind == "exit" and not survey.anonymous
    assert oc.leaver.name in survey.title
    kinds = list(survey.questions.values_list("kind", flat=True))
    assert len(kinds) == len(QUESTIONS) == 6
    assert kinds.count(QuestionKind.RATING) == 3 and kinds.count(QuestionKind.CHOICE) == 2
    assert kinds.count(QuestionKind.TEXT) == 1
    assert list(SurveyInvitation.objects.filter(survey=survey).values_list("employee_id", flat=True)) == [oc.leaver.pk]
    assert survey.closes_at.date() > oc.case.last_working_day
    assert SeparationCase.objects.get(pk=oc.case.pk).exit_survey == survey
    assert CaseEvent.objects.filter(case=oc.case, kind="exit_interview", actor=people["users"]["hr"]).exists()
    # the leaver is told (the surveys app's notification)
    from hrsuite.notifications.models import Notification

    assert Notification.objects.filter(recipient=people["users"]["employee"], key=f"survey:{survey.pk}").exists()
    assert not Notification.objects.filter(key=f"survey:{survey.pk}").exclude(recipient=people["users"]["employee"])


def test_send_is_once_per_case(people, open_case):
    oc = open_case()
    first = exit_interview_send(case=oc.case, actor=people["users"]["hr"])
    second = exit_interview_send(case=oc.case, actor=people["users"]["hr"])
    assert not second.created and second.survey == first.survey
    assert Survey.objects.filter(kind="exit").count() == 1
    assert SurveyInvitation.objects.count() == 1


def test_send_is_refused_when_the_leaver_cannot_sign_in(people, open_case, english):
    oc = open_case()
    revoke_access(case=oc.case, actor=people["users"]["hr"])
    with pytest.raises(ValidationError) as exc:
        exit_interview_send(case=oc.case, actor=people["users"]["hr"])
    assert "can no longer sign in" in exc.value.messages[0]
    assert not Survey.objects.exists()


def test_send_is_refused_for_a_cancelled_case(people, open_case):
    oc = open_case(status="cancelled")
    with pytest.raises(ValidationError):
        exit_interview_send(case=oc.case, actor=people["users"]["hr"])
    assert not Survey.objects.exists()


def _answers(survey):
    out = {}
    for q in survey.questions.all():
        if q.kind == QuestionKind.RATING:
            out[f"q{q.pk}"] = "2"
        elif q.kind == QuestionKind.CHOICE:
            out[f"q{q.pk}"] = q.options[0]
        else:
            out[f"q{q.pk}"] = "更灵活的远程办公"
    return out


def test_the_leaver_answers_and_only_hr_reads_the_results(people, open_case, client_for):
    oc = open_case()
    survey = exit_interview_send(case=oc.case, actor=people["users"]["hr"]).survey
    leaver = client_for("employee")
    assert survey.title.encode() in leaver.get(reverse("mysurveys:list")).content
    response = leaver.post(reverse("mysurveys:answer", args=[survey.pk]), _answers(survey))
    assert response.status_code == 302
    assert SurveyResponse.objects.get(survey=survey).invitation.employee == oc.leaver

    results = reverse("surveys:results", args=[survey.pk])
    page = client_for("hr").get(results)
    assert page.status_code == 200 and "更灵活的远程办公".encode() in page.content
    # the department head, the successor, the leaver, another manager: no
    for role in ("manager", "team_member", "employee", "other_manager", "payroll"):
        assert client_for(role).get(results).status_code == 403, role
        assert client_for(role).get(reverse("surveys:results_export", args=[survey.pk])).status_code == 403, role
    # nobody else is invited, so nobody else can open the answer page
    other = client_for("manager").get(reverse("mysurveys:answer", args=[survey.pk]))
    assert "更灵活的远程办公".encode() not in other.content


@pytest.mark.parametrize("role, status", [("hr", 302), ("manager", 403), ("employee", 403)])
def test_send_view_permissions(client_for, open_case, role, status):
    oc = open_case()
    response = client_for(role).post(reverse("offboarding:exit_interview_send", args=[oc.case.pk]))
    assert response.status_code == status
    assert Survey.objects.filter(kind="exit").exists() == (status == 302)


def test_documents_page_shows_the_answered_interview(people, open_case, client_for):
    from surveys.services import respond

    oc = open_case()
    survey = exit_interview_send(case=oc.case, actor=people["users"]["hr"]).survey
    page = client_for("hr").get(reverse("offboarding:case_documents", args=[oc.case.pk]))
    assert b'data-testid="exit-waiting"' in page.content
    respond(survey=survey, employee=oc.leaver, answers={k[1:]: v for k, v in _answers(survey).items()})
    page = client_for("hr").get(reverse("offboarding:case_documents", args=[oc.case.pk]))
    assert b'data-testid="exit-answered"' in page.content
    assert reverse("surveys:results", args=[survey.pk]).encode() in page.content
