"""The transition tables of review cycles and OKR cycles; the services (`okr_cycle_move` and the
review cycle stage services) consult them under a row lock."""

from __future__ import annotations

from .choices import OkrStatus, ReviewCycleStatus

S = ReviewCycleStatus
REVIEW_CYCLE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.ASSESSMENT,),
    S.ASSESSMENT: (S.CALIBRATION, S.RELEASED),  # straight to released when no calibration is required
    S.CALIBRATION: (S.RELEASED,),
    S.RELEASED: (S.CLOSED,),
    S.CLOSED: (),
}

OKR_TRANSITIONS: dict[str, tuple[str, ...]] = {
    OkrStatus.DRAFT: (OkrStatus.OPEN,),
    OkrStatus.OPEN: (OkrStatus.CLOSED,),
    OkrStatus.CLOSED: (),
}


def review_cycle_can_move(current: str, target: str) -> bool:
    return target in REVIEW_CYCLE_TRANSITIONS.get(current, ())


def okr_can_move(current: str, target: str) -> bool:
    return target in OKR_TRANSITIONS.get(current, ())
