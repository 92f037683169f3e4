"""The review cycle's transition table. `review_cycle_move` consults it under a row lock."""

from __future__ import annotations

from .choices import OkrStatus, ReviewCycleStatus

S = ReviewCycleStatus
REVIEW_CYCLE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.ASSESSMENT,),
    S.ASSESSMENT: (S.CALIBRATION, S.RELEASED),  # straight to released when no calibration is required
    S.CALIBRATION: (S.RELEASED, S.ASSESSMENT),  # back to assessment to let a manager re-rate
    S.RELEASED: (S.CLOSED,),
    S.CLOSED: (),
}

OKR_TRANSITIONS: dict[str, tuple[str, ...]] = {
    OkrStatus.DRAFT: (OkrStatus.OPEN,),
    OkrStatus.OPEN: (OkrStatus.CLOSED,),
    OkrStatus.CLOSED: (),
}

# statuses in which managers may still rate
RATING_OPEN = (S.ASSESSMENT,)


def review_cycle_can_move(current: str, target: str) -> bool:
    return target in REVIEW_CYCLE_TRANSITIONS.get(current, ())


def okr_can_move(current: str, target: str) -> bool:
    return target in OKR_TRANSITIONS.get(current, ())
