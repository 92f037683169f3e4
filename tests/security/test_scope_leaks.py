"""No page or export leaks rows outside the user's scope.

For every GET page of the permission matrix that `employee` (department A), `manager` (head of
A), `other_employee` (department B) or `other_manager` (head of B) may open — lists, detail pages
and every export (Excel and CSV files are opened, PDFs read back) — the response must not carry
the other department's people:
their names, employee numbers, certificate numbers, candidates, objectives, customers, contracts.
A few pages show a person of the other department by design (a cross-department project shows
its members); they are listed in BY_DESIGN with the reason, and nothing else is excused.

Positive controls make sure the search is not vacuous: the same pages show the in-scope rows."""

from __future__ import annotations

import io

import pytest

from tests.security.matrix import MATRIX, OK
from tests.security.world import A_NAME, A_NO, B_NAME, B_NO, PRIVATE_SUBJECT, ROLES, client_as, url_for, xlsx_text

# What must never reach someone outside department A / department B.
OF_A = {
    "name of A's employee": A_NAME,
    "number of A's employee": A_NO,
    "A's certificate number": "FUND-A-0001",
    "A's contract number": "HT-A-001",
    "A's individual objective": "个人营收 1000 万",
    "A's customer account": "重点客户甲",
    "A's candidate": "候选人甲",
    "A's requisition": "业务增长，需要扩充风控建模团队。",
    "feedback addressed to A's head only": PRIVATE_SUBJECT,
}
OF_B = {
    "name of B's employee": B_NAME,
    "number of B's employee": B_NO,
    "B's certificate number": "FUND-B-0001",
}
# role -> the markers outside its scope
FORBIDDEN = {
    "employee": {**OF_B, "feedback addressed to A's head only": PRIVATE_SUBJECT},
    "manager": OF_B,
    "other_employee": OF_A,
    "other_manager": OF_A,
}
CHECKED_ROLES = tuple(FORBIDDEN)

# (url name, role) -> why the other department's person is shown there by design
BY_DESIGN = {
    ("relations:project_detail", "employee"): "A's employee leads a project with B's employee as a member",
    ("relations:project_edit", "employee"): "the project's lead edits its membership",
    ("relations:project_detail", "manager"): "the creator of the cross-department project sees its members",
    ("relations:project_edit", "manager"): "the creator of the cross-department project edits its members",
    ("relations:project_detail", "other_manager"): "B's head sees the project their employee works on, and its lead",
    ("relations:project_list", "other_manager"): "the project of B's employee, with its lead from A",
    ("myprojects:home", "employee"): "the lead sees the members of their project",
    ("relations:project_detail", "other_employee"): "B's employee is a member of the project A's employee leads",
    ("myprojects:home", "other_employee"): "a member sees their project and its lead",
}

# what a BY_DESIGN page may show of the other department: the person (name and employee number),
# nothing else of theirs (certificates, contracts, objectives, customers...)
SHOWN_BY_DESIGN = frozenset(
    {"name of A's employee", "number of A's employee", "name of B's employee", "number of B's employee"}
)

# pages that must show the in-scope rows (the search finds what is there)
POSITIVE = {
    ("employees:list", "manager"): A_NAME,
    ("employees:export", "manager"): A_NO,
    ("employees:team", "manager"): A_NAME,
    ("employees:team_export", "manager"): A_NO,
    ("employees:list", "other_manager"): B_NAME,
    ("employees:export", "other_manager"): B_NO,
    ("employees:team_export", "other_manager"): B_NO,
    ("training:compliance_matrix", "manager"): A_NAME,
    ("training:compliance_export", "manager"): A_NAME,
    ("training:compliance_export", "other_manager"): B_NAME,
    ("performance:okr_report_xlsx", "manager"): A_NAME,
    ("performance:okr_report_xlsx", "other_manager"): B_NAME,
    ("mypay:pdf", "employee"): A_NAME,
    ("selfservice:profile", "employee"): A_NO,
    ("recruiting:requisitions", "manager"): "风控建模工程师",
    ("relations:feedback_list", "manager"): PRIVATE_SUBJECT,
}


def pages_for(role: str) -> list[str]:
    i = ROLES.index(role)
    return [n for n, e in MATRIX.items() if e.method == "GET" and e.access[i] == OK]


CASES = [(name, role) for role in CHECKED_ROLES for name in pages_for(role)]


def response_text(response) -> str:
    """The text a person would read: the page, every cell of a workbook, a CSV, a PDF's text."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    ctype = response.get("Content-Type", "")
    if "spreadsheetml" in ctype:
        return xlsx_text(content)
    if "pdf" in ctype:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
        except PdfReadError:  # an uploaded file (the world's are stubs): its bytes are what it shows
            return content.decode("latin-1")
    return content.decode("utf-8-sig", errors="replace")


def fetch(world, name: str, role: str) -> str:
    url, _kwargs = url_for(world, name, MATRIX[name])
    response = client_as(world, role).get(url)
    assert response.status_code == 200, f"{url} as {role}: {response.status_code}"
    return response_text(response)


def test_the_pages_checked_cover_lists_and_exports():
    names = {n for n, _r in CASES}
    for must in ("employees:list", "employees:export", "employees:team_export", "training:compliance_export",
                 "recruiting:analytics_export", "performance:okr_report_xlsx", "offboarding:cases"):  # fmt: skip
        assert must in names
    assert set(BY_DESIGN) <= set(CASES), "a BY_DESIGN entry names a page the role cannot open"
    assert set(POSITIVE) <= set(CASES)
    assert set(OF_A) | set(OF_B) >= SHOWN_BY_DESIGN, "SHOWN_BY_DESIGN names a marker that does not exist"


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_no_rows_outside_the_scope(world, db, name, role):
    text = fetch(world, name, role)
    if (name, role) in BY_DESIGN:
        markers = {k: v for k, v in FORBIDDEN[role].items() if k not in SHOWN_BY_DESIGN}
    else:
        markers = FORBIDDEN[role]
    leaked = [what for what, marker in markers.items() if marker in text]
    assert not leaked, f"{name} as {role} shows {', '.join(leaked)}"
    if (name, role) in POSITIVE:
        assert POSITIVE[(name, role)] in text, f"{name} as {role} does not show its in-scope rows"
