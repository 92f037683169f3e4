"""Employee-relations demo data: engagement survey rounds, feedback threads and collaboration
projects, each seeded by its own module (idempotent)."""

from __future__ import annotations

from . import demo_engagement, demo_feedback, demo_projects


def seed(*, employees: int = 200) -> dict:
    return {
        "engagement": demo_engagement.seed(employees=employees),
        "feedback": demo_feedback.seed(),
        "projects": demo_projects.seed(employees=employees),
    }
