"""Signals of the exam engine (decoupled listeners: training completes a course on a pass)."""

import django.dispatch

# sent with attempt=<ExamAttempt> once an attempt is graded (submitted or expired)
attempt_graded = django.dispatch.Signal()
