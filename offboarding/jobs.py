"""Celery tasks of access revocation: thin wrappers (ids in, a service call, idempotent).

The names are explicit so beat's schedule (hrsuite/celery.py: "offboarding.jobs.revoke_due_access")
finds them whichever module the tasks are finally merged into; the worker must import this
module (Celery's autodiscovery imports only `tasks` modules)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="offboarding.jobs.revoke_due_access")
def revoke_due_access() -> dict:
    """Daily (20:00, the evening of the revocation day): revoke the access of every case whose revocation day has come. A second
    run, or a retry, revokes nothing twice."""
    from .revocation import revoke_due

    return revoke_due().as_dict()


@shared_task(name="offboarding.jobs.revoke_case_access")
def revoke_case_access(case_id: int, reason: str = "scheduled") -> bool:
    """Revoke one case's access now (a revocation scheduled for today). True if it changed
    anything; a case already revoked, or gone, changes nothing."""
    from .models import SeparationCase
    from .revocation import revoke_access

    case = SeparationCase.objects.filter(pk=case_id).first()
    if case is None or case.revoked_at is not None:
        return False
    return revoke_access(case=case, actor=None, reason=reason).done
