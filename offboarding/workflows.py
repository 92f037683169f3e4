"""The separation case's transition table and the item review table. Services consult these
before any change, under a row lock, and record a CaseEvent."""

from __future__ import annotations

from .choices import CaseStatus, ItemStatus

CASE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CaseStatus.SUBMITTED: (CaseStatus.HANDOVER, CaseStatus.CANCELLED),
    CaseStatus.HANDOVER: (CaseStatus.HEAD_APPROVAL, CaseStatus.CANCELLED),
    CaseStatus.HEAD_APPROVAL: (CaseStatus.HR_APPROVAL, CaseStatus.HANDOVER, CaseStatus.CANCELLED),
    CaseStatus.HR_APPROVAL: (CaseStatus.COMPLETED, CaseStatus.HANDOVER, CaseStatus.CANCELLED),
    CaseStatus.COMPLETED: (),
    CaseStatus.CANCELLED: (),
}

# who moves an item: the leaver submits (todo/returned -> submitted); the successor confirms or
# sends back (submitted -> confirmed/returned)
ITEM_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ItemStatus.TODO: (ItemStatus.SUBMITTED,),
    ItemStatus.RETURNED: (ItemStatus.SUBMITTED,),
    ItemStatus.SUBMITTED: (ItemStatus.CONFIRMED, ItemStatus.RETURNED),
    ItemStatus.CONFIRMED: (),
}

OPEN_CASE = (CaseStatus.SUBMITTED, CaseStatus.HANDOVER, CaseStatus.HEAD_APPROVAL, CaseStatus.HR_APPROVAL)


def case_can_move(current: str, target: str) -> bool:
    return target in CASE_TRANSITIONS.get(current, ())


def item_can_move(current: str, target: str) -> bool:
    return target in ITEM_TRANSITIONS.get(current, ())
