"""The pipeline pages (namespace "recruiting"): the application page and its actions, the
board of a posting, interviews and scorecards."""

from django.urls import path

from .views import interviews, pipeline

urlpatterns = [
    path("applications/<int:pk>/", pipeline.application_detail, name="application_detail"),
    path("applications/<int:pk>/resume/", pipeline.resume_download, name="resume_download"),
    path("applications/<int:pk>/move/", pipeline.application_move_view, name="application_move"),
    path("applications/<int:pk>/reject/", pipeline.application_reject_view, name="application_reject"),
    path("applications/<int:pk>/note/", pipeline.application_note_view, name="application_note"),
    path("applications/<int:pk>/assessment/send/", pipeline.assessment_invite_view, name="assessment_invite"),
    path("applications/<int:pk>/interviews/new/", interviews.interview_schedule_view, name="interview_schedule"),
    path("postings/<int:pk>/board/", pipeline.board, name="board"),
    path("postings/<int:pk>/board/<int:application_pk>/move/", pipeline.board_move, name="board_move"),
    path("interviews/mine/", interviews.my_interviews, name="my_interviews"),
    path("interviews/<int:pk>/cancel/", interviews.interview_cancel_view, name="interview_cancel"),
    path("interviews/<int:pk>/scorecard/", interviews.scorecard, name="scorecard"),
]
