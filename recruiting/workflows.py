"""The recruiting pipeline's transition table: which stage may follow which. Services consult
`can_move` before any move; the board only offers the moves listed here."""

from __future__ import annotations

from .choices import Stage

TRANSITIONS: dict[str, tuple[str, ...]] = {
    Stage.APPLIED: (Stage.SCREENING, Stage.REJECTED),
    Stage.SCREENING: (Stage.ASSESSMENT, Stage.INTERVIEW, Stage.REJECTED),
    Stage.ASSESSMENT: (Stage.INTERVIEW, Stage.REJECTED),
    Stage.INTERVIEW: (Stage.OFFER, Stage.REJECTED),
    Stage.OFFER: (Stage.HIRED, Stage.INTERVIEW, Stage.REJECTED),
    Stage.HIRED: (),
    Stage.REJECTED: (),
}

OPEN_STAGES = (Stage.APPLIED, Stage.SCREENING, Stage.ASSESSMENT, Stage.INTERVIEW, Stage.OFFER)


def allowed_moves(stage: str) -> tuple[str, ...]:
    return TRANSITIONS.get(stage, ())


def can_move(current: str, target: str) -> bool:
    return target in allowed_moves(current)
