"""The permission matrix: for every URL name of the suite, how to fill its arguments from the
world (tests/security/world.py), how to probe it, and what each role must get.

Roles, in the order of every access tuple below:
    anonymous, employee (dept A), other_employee (dept B), other_manager (head of B),
    manager (head of A, the employee's manager), hr, payroll, hr_admin
The object a URL points at belongs to `employee` (department A) wherever it is personal data.

Outcomes:
    OK        GET: 200. POST (an empty body unless `data` says otherwise): 200, 302 or 400 — the
              action ran or its form was refused — but never a 302 to the login page, never 500.
    L         302 to the login page.
    X / N     403 / 404.
    R         POST only: the service refused the outsider — 403, 404, or a 302 back with the
              row's `refusal` flashed (the permission guard's message, not some other error:
              the row's `data` is a valid request, so only the guard can refuse it); nothing
              in the database changed.
    to(name)  302 to that URL (with the same arguments where it takes them): the designed
              redirect, named in the row's note.
    HEALTH    200 or 503 with the health JSON, no sign-in (monitoring).

Arguments: a string names a world attribute (its `pk` is used, or the value itself); "=text" is
a literal. `data` (POST) is a dict in the same notation or a callable taking the world.

A new URL without an entry here fails tests/security/test_permission_matrix.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

L = "login"
OK = 200
X = 403
N = 404
R = "refused"
HEALTH = "health"


@dataclass(frozen=True)
class Redirect:
    target: str

    def __str__(self) -> str:
        return f"302→{self.target}"


def to(name: str) -> Redirect:
    return Redirect(name)


@dataclass(frozen=True)
class U:
    access: tuple
    kwargs: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    data: Any = None
    # R rows: the message (English source) the permission guard flashes when it refuses
    refusal: str = ""
    note: str = ""
    # the URL points at personal data of `employee` (dept A): other_employee and other_manager
    # must never get it (checked on the table itself as well as on the responses)
    personal: bool = False


def P(access: tuple, kwargs: dict | None = None, **extra) -> U:
    return U(access=access, kwargs=kwargs or {}, method="POST", **extra)


def G(access: tuple, kwargs: dict | None = None, **extra) -> U:
    return U(access=access, kwargs=kwargs or {}, method="GET", **extra)


# --- access classes ---------------------------------------------------------------------------
# fmt: off
#                anon  emp  o_emp o_mgr mgr  hr   pay  hr_adm
PUBLIC =        (OK,   OK,  OK,   OK,   OK,  OK,  OK,  OK)
SIGNED_IN =     (L,    OK,  OK,   OK,   OK,  OK,  OK,  OK)  # self-service: every role has a record
HR_ONLY =       (L,    X,   X,    X,    X,   OK,  X,   OK)
HR_ADMIN_ONLY = (L,    X,   X,    X,    X,   X,   X,   OK)
PAYROLL_ONLY =  (L,    X,   X,    X,    X,   X,   OK,  X)  # HR does not see pay
MANAGERS =      (L,    X,   X,    OK,   OK,  X,   X,   X)  # "my team": managers only
STAFF =         (L,    X,   X,    OK,   OK,  OK,  OK,  OK)  # HR, managers, payroll; rows scoped
STAFF_OBJ_A =   (L,    X,   X,    N,    OK,  OK,  OK,  OK)  # A's record: B's head gets 404
MANAGER_OR_HR = (L,    X,   X,    OK,   OK,  OK,  X,   OK)  # rows scoped to the manager's reach
MGR_HR_OBJ_A =  (L,    X,   X,    N,    OK,  OK,  X,   OK)  # an object of department A
PERSONAL_DATA = (L,    X,   X,    X,    X,   OK,  OK,  OK)  # ID number, bank account
OWN_ONLY =      (L,    OK,  N,    N,    N,   N,   N,   N)  # the employee's own; not even HR
OWN_OR_HR =     (L,    OK,  N,    N,    N,   OK,  N,   OK)  # own file, or HR
HANDOVER =      (L,    OK,  N,    N,    OK,  OK,  N,   OK)  # leaver, their head, HR
OBJECTIVE_A =   (L,    OK,  N,    N,    OK,  OK,  N,   OK)  # owner, their manager, HR
INTERVIEWERS =  (L,    OK,  X,    X,    OK,  X,   X,   X)  # the interview's panel only
INVITED =       (L,    OK,  OK,   X,    X,   X,   X,   X)  # A and B were invited
ENROLLED =      (L,    OK,  OK,   N,    N,   OK,  N,   OK)  # A and B are enrolled
# fmt: on
HOME = (L,) + (to("core:dashboard"),) * 7
# the permission guards' messages (relations/services_feedback.py, relations/services_projects.py)
FEEDBACK_REFUSAL = "Only HR and the addressed department head can reply."
PROJECT_REFUSAL = "Only HR, the project's creator and its lead can change it."

MATRIX: dict[str, U] = {
    # --- core, ops, audit, notifications ------------------------------------------------------
    "core:home": G(HOME, note="the start page sends a signed-in user to the dashboard"),
    "core:dashboard": G(SIGNED_IN),
    "healthz": G((HEALTH,) * 8, note="monitoring endpoint: statuses only, no data, no sign-in"),
    "ops:health_page": G(HR_ADMIN_ONLY),
    "ops:jobs": G(HR_ADMIN_ONLY),
    "ops:job_run": P(HR_ADMIN_ONLY, {"key": "=publish-payslips"}, note="a job that refuses a manual run"),
    "ops:backups": G(HR_ADMIN_ONLY),
    "audit:list": G(HR_ADMIN_ONLY),
    "audit:export": G(HR_ADMIN_ONLY),
    "notifications:list": G(SIGNED_IN),
    "notifications:open": P(
        (L, OK) + (to("notifications:list"),) * 6,
        {"pk": "notification_a"},
        note="someone else's notification is not opened: back to one's own list",
    ),
    "notifications:mark_all_read": P(SIGNED_IN),
    # --- employees ----------------------------------------------------------------------------
    "employees:list": G(STAFF),
    "employees:export": G(STAFF),
    "employees:team": G(MANAGERS),
    "employees:team_export": G(MANAGERS),
    "employees:create": G(HR_ONLY),
    "employees:detail": G(STAFF_OBJ_A, {"pk": "employee_a"}, personal=True),
    "employees:edit": G(HR_ONLY, {"pk": "employee_a"}, personal=True),
    "employees:reveal": P(PERSONAL_DATA, {"pk": "employee_a", "field": "=national_id"}, personal=True),
    "employees:contract_add": P(HR_ONLY, {"pk": "employee_a"}, personal=True),
    "employees:contract_renew": P(HR_ONLY, {"pk": "employee_a", "contract_pk": "contract_a"}, personal=True),
    "employees:document_upload": P(HR_ONLY, {"pk": "employee_a"}, personal=True),
    "employees:document_download": G(OWN_OR_HR, {"doc_pk": "document_a"}, personal=True),
    "employees:requests": G(HR_ONLY),
    "employees:request_approve": P(HR_ONLY, {"pk": "change_request_a"}, personal=True),
    "employees:request_reject": P(HR_ONLY, {"pk": "change_request_a"}, personal=True),
    "employees:org": G(STAFF),
    "employees:department_create": G(HR_ONLY),
    "employees:department_edit": G(HR_ONLY, {"pk": "department_a"}),
    "employees:reference_list": G(STAFF, {"kind": "=positions"}),
    "employees:reference_create": G(HR_ONLY, {"kind": "=positions"}),
    "employees:reference_edit": G(HR_ONLY, {"kind": "=positions", "pk": "position"}),
    "employees:import": G(HR_ONLY),
    "employees:import_confirm": P(HR_ONLY),
    "employees:import_template": G(HR_ONLY),
    "employees:analytics": G(HR_ONLY),
    "employees:analytics_export": G(HR_ONLY),
    "employees:targets": G(HR_ONLY),
    # --- payroll (pay is payroll's alone: HR and managers get 403) ----------------------------
    "payroll:runs": G(PAYROLL_ONLY),
    "payroll:run_create": P(PAYROLL_ONLY),
    "payroll:run_detail": G(PAYROLL_ONLY, {"pk": "run_calculated"}),
    "payroll:run_progress": G(PAYROLL_ONLY, {"pk": "run_calculated"}),
    "payroll:run_calculate": P(PAYROLL_ONLY, {"pk": "run_calculated"}),
    "payroll:run_approve": P(PAYROLL_ONLY, {"pk": "run_calculated"}),
    "payroll:run_return": P(PAYROLL_ONLY, {"pk": "run_calculated"}),
    "payroll:run_finalize": P(PAYROLL_ONLY, {"pk": "run_calculated"}),
    "payroll:run_cancel": P(PAYROLL_ONLY, {"pk": "run_calculated"}),
    "payroll:run_publish": P(PAYROLL_ONLY, {"pk": "run_calculated"}),
    "payroll:slip_pdf": G(PAYROLL_ONLY, {"pk": "payslip_a"}, personal=True),
    "payroll:run_recheck": P(PAYROLL_ONLY, {"pk": "run_calculated"}),
    "payroll:flag_override": P(PAYROLL_ONLY, {"pk": "flag_a"}, personal=True),
    "payroll:blocklist": G(PAYROLL_ONLY),
    "payroll:blocklist_remove": P(PAYROLL_ONLY, {"pk": "blocked"}),
    "payroll:slip_detail": G(PAYROLL_ONLY, {"pk": "payslip_a"}, personal=True),
    "payroll:components": G(PAYROLL_ONLY),
    "payroll:component_create": G(PAYROLL_ONLY),
    "payroll:component_edit": G(PAYROLL_ONLY, {"pk": "component"}),
    "payroll:component_delete": P(PAYROLL_ONLY, {"pk": "component"}),
    "payroll:component_deactivate": P(PAYROLL_ONLY, {"pk": "component"}),
    "payroll:input_definitions": G(PAYROLL_ONLY),
    "payroll:input_definition_create": G(PAYROLL_ONLY),
    "payroll:input_definition_edit": G(PAYROLL_ONLY, {"pk": "input_definition"}),
    "payroll:structures": G(PAYROLL_ONLY),
    "payroll:structure_create": G(PAYROLL_ONLY),
    "payroll:formula_check": P(
        PAYROLL_ONLY, data={"check_structure": "structure", "formula": "=基本工资 * 10%"}, note="htmx partial"
    ),
    "payroll:structure_detail": G(PAYROLL_ONLY, {"pk": "structure"}),
    "payroll:structure_new_version": G(PAYROLL_ONLY, {"pk": "structure"}),
    "payroll:structure_try": P(PAYROLL_ONLY, {"pk": "structure"}),
    "payroll:structure_line_add": G(PAYROLL_ONLY, {"pk": "structure"}),
    "payroll:structure_line_edit": G(PAYROLL_ONLY, {"pk": "structure", "line_pk": "structure_line"}),
    "payroll:structure_line_delete": P(PAYROLL_ONLY, {"pk": "structure", "line_pk": "structure_line"}),
    "payroll:policies": G(PAYROLL_ONLY),
    "payroll:policy_create": G(PAYROLL_ONLY),
    "payroll:policy_detail": G(PAYROLL_ONLY, {"pk": "policy"}),
    "payroll:policy_edit": G(PAYROLL_ONLY, {"pk": "policy"}),
    "payroll:pay_analytics": G(PAYROLL_ONLY),
    "payroll:pay_analytics_export": G(PAYROLL_ONLY),
    "payroll:market_list": G(PAYROLL_ONLY),
    "payroll:market_import": G(PAYROLL_ONLY),
    "payroll:market_import_confirm": P(PAYROLL_ONLY),
    "payroll:market_template": G(PAYROLL_ONLY),
    "payroll:export_register": G(PAYROLL_ONLY, {"pk": "run_published"}),
    "payroll:export_bank": G(PAYROLL_ONLY, {"pk": "run_published"}),
    "payroll:export_tax": G(PAYROLL_ONLY, {"pk": "run_published"}),
    "payroll:export_contributions": G(PAYROLL_ONLY, {"pk": "run_published"}),
    "payroll:pay_history": G(PAYROLL_ONLY, {"pk": "employee_a"}, personal=True),
    "payroll:pay_history_pdf": G(PAYROLL_ONLY, {"pk": "employee_a"}, personal=True),
    "payroll:pay_history_xlsx": G(PAYROLL_ONLY, {"pk": "employee_a"}, personal=True),
    "payroll:assignments": G(PAYROLL_ONLY),
    "payroll:assignment_detail": G(PAYROLL_ONLY, {"pk": "employee_a"}, personal=True),
    "payroll:assignment_create": G(
        (L, X, X, X, X, X, to("payroll:assignment_revise"), X),
        {"pk": "employee_a"},
        personal=True,
        note="A already has a current assignment: payroll is sent to revise it",
    ),
    "payroll:assignment_revise": G(PAYROLL_ONLY, {"pk": "employee_a"}, personal=True),
    "payroll:period_inputs": G(PAYROLL_ONLY),
    "payroll:period_input_cell": P(PAYROLL_ONLY, {"pk": "employee_a", "definition": "input_definition"}, personal=True),
    "payroll:period_inputs_import": G(PAYROLL_ONLY),
    "payroll:period_inputs_import_confirm": P(PAYROLL_ONLY),
    "payroll:period_inputs_template": G(PAYROLL_ONLY),
    "payroll:declarations": G(PAYROLL_ONLY),
    "payroll:declaration_edit": G(PAYROLL_ONLY, {"pk": "employee_a", "year": "=2026"}, personal=True),
    "payroll:adjustments": G(PAYROLL_ONLY),
    "payroll:adjustment_create": G(PAYROLL_ONLY),
    # --- surveys and exams (run by HR's training team) ----------------------------------------
    "surveys:list": G(HR_ONLY),
    "surveys:create": G(HR_ONLY),
    "surveys:edit": G(HR_ONLY, {"pk": "survey"}),
    "surveys:question_add": G(HR_ONLY, {"pk": "survey"}),
    "surveys:question_edit": G(HR_ONLY, {"pk": "survey", "question_pk": "survey_question"}),
    "surveys:question_delete": P(HR_ONLY, {"pk": "survey", "question_pk": "survey_question"}),
    "surveys:question_move": P(HR_ONLY, {"pk": "survey", "question_pk": "survey_question"}),
    "surveys:invite": G(HR_ONLY, {"pk": "survey"}),
    "surveys:results": G(HR_ONLY, {"pk": "survey"}),
    "surveys:results_export": G(HR_ONLY, {"pk": "survey"}),
    "exams:exams": G(HR_ONLY),
    "exams:exam_create": G(HR_ONLY),
    "exams:exam_edit": G(HR_ONLY, {"pk": "exam"}),
    "exams:exam_results": G(HR_ONLY, {"pk": "exam"}),
    "exams:exam_results_export": G(HR_ONLY, {"pk": "exam"}),
    "exams:attempt_detail": G(HR_ONLY, {"pk": "attempt_a"}, personal=True),
    "exams:banks": G(HR_ONLY),
    "exams:bank_create": G(HR_ONLY),
    "exams:bank_template": G(HR_ONLY),
    "exams:bank_detail": G(HR_ONLY, {"pk": "bank"}),
    "exams:bank_edit": G(HR_ONLY, {"pk": "bank"}),
    "exams:question_create": G(HR_ONLY, {"pk": "bank"}),
    "exams:bank_import": G(HR_ONLY, {"pk": "bank"}),
    "exams:bank_import_confirm": P(HR_ONLY, {"pk": "bank"}),
    "exams:question_edit": G(HR_ONLY, {"pk": "question"}),
    "exams:question_delete": P(HR_ONLY, {"pk": "question"}),
    "exams:question_active": P(HR_ONLY, {"pk": "question"}),
    # --- training and qualifications ----------------------------------------------------------
    "training:courses": G(HR_ONLY),
    "training:course_create": G(HR_ONLY),
    "training:course_detail": G(HR_ONLY, {"pk": "course"}),
    "training:course_edit": G(HR_ONLY, {"pk": "course"}),
    "training:session_add": P(HR_ONLY, {"pk": "course"}),
    "training:material_add": P(HR_ONLY, {"pk": "course"}),
    "training:requirement_add": P(HR_ONLY, {"pk": "course"}),
    "training:requirement_delete": P(HR_ONLY, {"pk": "course", "req_pk": "course_requirement"}),
    "training:enroll": P(HR_ONLY, {"pk": "course"}),
    "training:enrollment_action": P(HR_ONLY, {"pk": "enrollment_a", "action": "=attended"}, personal=True),
    "training:material_download": G(ENROLLED, {"pk": "material"}, note="course material: its learners and HR"),
    "training:team": G(MANAGERS),
    "training:team_enroll": P(MANAGERS),
    "training:analytics": G(HR_ONLY),
    "training:analytics_export": G(HR_ONLY),
    "training:incidents": G(HR_ONLY),
    "training:certificates": G(HR_ONLY),
    "training:certificate_create": G(HR_ONLY),
    "training:certificate_edit": G(HR_ONLY, {"pk": "certificate_a"}, personal=True),
    "training:certificate_scan": G(OWN_OR_HR, {"pk": "certificate_a"}, personal=True),
    "training:certificate_verify": P(HR_ONLY, {"pk": "certificate_a"}, personal=True),
    "training:certificate_reject": P(HR_ONLY, {"pk": "certificate_a"}, personal=True),
    "training:verification_queue": G(HR_ONLY),
    "training:certificate_types": G(HR_ONLY),
    "training:certificate_type_create": G(HR_ONLY),
    "training:certificate_type_edit": G(HR_ONLY, {"pk": "certificate_type"}),
    "training:requirements": G(HR_ONLY),
    "training:training_settings": G(HR_ONLY),
    "training:compliance_matrix": G(MANAGER_OR_HR),
    "training:compliance_export": G(MANAGER_OR_HR),
    "training:compliance_report": G(HR_ONLY),
    "training:compliance_report_pdf": G(
        (L, X, X, X, X, to("training:compliance_report"), X, to("training:compliance_report")),
        note="without a chosen period HR is sent to the report page to choose one",
    ),
    # --- recruiting (the requisition is department A's, its hiring manager is `manager`) ------
    "recruiting:requisitions": G(MANAGER_OR_HR),
    "recruiting:requisition_create": G(MANAGER_OR_HR),
    "recruiting:requisition_detail": G(MGR_HR_OBJ_A, {"pk": "requisition"}),
    "recruiting:requisition_decide": P(HR_ONLY, {"pk": "requisition"}),
    "recruiting:requisition_cancel": P(MGR_HR_OBJ_A, {"pk": "requisition"}),
    "recruiting:postings": G(MANAGER_OR_HR),
    "recruiting:posting_create": G(HR_ONLY),
    "recruiting:posting_detail": G(MGR_HR_OBJ_A, {"pk": "posting"}),
    "recruiting:posting_edit": G(HR_ONLY, {"pk": "posting"}),
    "recruiting:posting_keywords": P(HR_ONLY, {"pk": "posting"}),
    "recruiting:posting_publish": P(HR_ONLY, {"pk": "posting"}),
    "recruiting:posting_close": P(HR_ONLY, {"pk": "posting"}),
    "recruiting:posting_applications": G(MGR_HR_OBJ_A, {"pk": "posting"}),
    "recruiting:application_detail": G(MGR_HR_OBJ_A, {"pk": "application"}),
    "recruiting:resume_download": G(MGR_HR_OBJ_A, {"pk": "application"}),
    "recruiting:application_move": P(HR_ONLY, {"pk": "application"}),
    "recruiting:application_reject": P(HR_ONLY, {"pk": "application"}),
    "recruiting:application_note": P(HR_ONLY, {"pk": "application"}),
    "recruiting:assessment_invite": P(HR_ONLY, {"pk": "application"}),
    "recruiting:interview_schedule": P(HR_ONLY, {"pk": "application"}),
    "recruiting:board": G(MGR_HR_OBJ_A, {"pk": "posting"}),
    "recruiting:board_move": P(HR_ONLY, {"pk": "posting", "application_pk": "application"}),
    "recruiting:my_interviews": G(SIGNED_IN),
    "recruiting:interview_cancel": P(HR_ONLY, {"pk": "interview"}),
    "recruiting:scorecard": G(INTERVIEWERS, {"pk": "interview"}, note="employee and manager sit on the panel"),
    "recruiting:offers": G(MANAGER_OR_HR),
    "recruiting:offer_create": G(HR_ONLY, {"pk": "application"}),
    "recruiting:offer_detail": G(MGR_HR_OBJ_A, {"pk": "offer"}),
    "recruiting:offer_approve": P(HR_ONLY, {"pk": "offer"}),
    "recruiting:offer_letter": G(
        (L, X, X, X, X, to("recruiting:offer_detail"), X, to("recruiting:offer_detail")),
        {"pk": "offer"},
        note="a draft offer has no letter yet: HR is sent back to the offer",
    ),
    "recruiting:offer_answer": P(HR_ONLY, {"pk": "offer"}),
    "recruiting:offer_withdraw": P(HR_ONLY, {"pk": "offer"}),
    "recruiting:offer_hire": P(HR_ONLY, {"pk": "offer"}),
    "recruiting:onboarding": G(MANAGER_OR_HR),
    "recruiting:onboarding_detail": G(MGR_HR_OBJ_A, {"employee_pk": "new_hire"}),
    "recruiting:onboarding_welcome_resend": P(HR_ONLY, {"employee_pk": "new_hire"}),
    "recruiting:onboarding_task_done": P(
        (L, N, N, N, X, OK, N, OK),
        {"pk": "onboarding_task"},
        note="an HR-owned task of A's new hire: the manager follows the checklist but may not tick it",
    ),
    "recruiting:analytics": G(MANAGER_OR_HR),
    "recruiting:analytics_export": G(MANAGER_OR_HR),
    # --- offboarding (the case is the employee's; the head of A approves) ---------------------
    "offboarding:cases": G(MANAGER_OR_HR),
    "offboarding:case_create": G(HR_ONLY),
    "offboarding:case_detail": G(MGR_HR_OBJ_A, {"pk": "case"}, personal=True),
    "offboarding:case_start_handover": P(HR_ONLY, {"pk": "case"}, personal=True),
    "offboarding:case_approve_head": P(MGR_HR_OBJ_A, {"pk": "case"}, personal=True),
    "offboarding:case_approve_hr": P(HR_ONLY, {"pk": "case"}, personal=True),
    "offboarding:case_send_back": P(MGR_HR_OBJ_A, {"pk": "case"}, personal=True),
    "offboarding:case_cancel": P(HR_ONLY, {"pk": "case"}, personal=True),
    "offboarding:overdue": G(HR_ONLY),
    "offboarding:templates": G(HR_ONLY),
    "offboarding:template_create": G(HR_ONLY),
    "offboarding:template_edit": G(HR_ONLY, {"pk": "handover_template"}),
    "offboarding:resign": G(SIGNED_IN),
    "offboarding:item_detail": G(HANDOVER, {"pk": "handover_item"}, personal=True),
    "offboarding:item_upload": P(HANDOVER, {"pk": "handover_upload_item"}, personal=True),
    "offboarding:item_review": P(HANDOVER, {"pk": "handover_item"}, personal=True),
    "offboarding:attachment_download": G(HANDOVER, {"pk": "handover_attachment"}, personal=True),
    "offboarding:attachment_delete": P(HANDOVER, {"pk": "handover_attachment"}, personal=True),
    "offboarding:case_documents": G(HR_ONLY, {"pk": "case"}, personal=True),
    "offboarding:certificate_pdf": G(
        (L, X, X, X, X, to("offboarding:case_documents"), X, to("offboarding:case_documents")),
        {"pk": "case"},
        personal=True,
        note="the separation certificate exists only once the case is complete: HR is sent back",
    ),
    "offboarding:settlement": G(HR_ONLY, {"pk": "case"}, personal=True),
    "offboarding:settlement_pdf": G(HR_ONLY, {"pk": "case"}, personal=True),
    "offboarding:revoke_now": P(HR_ONLY, {"pk": "case"}, personal=True),
    "offboarding:revocation_schedule": P(HR_ONLY, {"pk": "case"}, personal=True),
    "offboarding:exit_interview_send": P(HR_ONLY, {"pk": "case"}, personal=True),
    "offboarding:case_audit": G(HR_ONLY, {"pk": "case"}, personal=True),
    # --- performance (OKRs are open to every employee; reviews to managers and HR) ------------
    "performance:okr_cycles": G(SIGNED_IN),
    "performance:okr_cycle_new": G(HR_ONLY),
    "performance:okr_cycle": G(SIGNED_IN, {"pk": "okr_cycle"}, note="the company's OKR tree; rows scoped"),
    "performance:okr_cycle_edit": G(HR_ONLY, {"pk": "okr_cycle"}),
    "performance:okr_cycle_move": P(HR_ONLY, {"pk": "okr_cycle"}),
    "performance:okr_report": G(MANAGER_OR_HR, {"pk": "okr_cycle"}),
    "performance:okr_report_xlsx": G(MANAGER_OR_HR, {"pk": "okr_cycle"}),
    "performance:objective_new": G(SIGNED_IN, {"cycle_pk": "okr_cycle"}, note="everyone sets their own objectives"),
    "performance:objective_detail": G(OBJECTIVE_A, {"pk": "objective_a"}, personal=True),
    "performance:objective_edit": G(OBJECTIVE_A, {"pk": "objective_a"}, personal=True),
    "performance:objective_delete": P(OBJECTIVE_A, {"pk": "objective_a"}, personal=True),
    "performance:objective_key_results": G(OBJECTIVE_A, {"pk": "objective_a"}, personal=True),
    "performance:check_in_task_new": G(OBJECTIVE_A, {"pk": "objective_a"}, personal=True),
    "performance:progress_update": P(OBJECTIVE_A, {"pk": "key_result_a"}, personal=True),
    "performance:check_in": P(OBJECTIVE_A, {"pk": "check_in_task"}, personal=True),
    "performance:review_cycles": G(MANAGER_OR_HR),
    "performance:review_cycle_new": G(HR_ONLY),
    "performance:team_reviews": G(MANAGER_OR_HR),
    "performance:review_cycle": G(MGR_HR_OBJ_A, {"pk": "review_cycle"}, note="a cycle of department A"),
    "performance:review_cycle_edit": G(
        (L, X, X, X, X, to("performance:review_cycle"), X, to("performance:review_cycle")),
        {"pk": "review_cycle"},
        note="a launched cycle's settings are frozen: HR is sent back to the cycle",
    ),
    "performance:review_cycle_action": P(HR_ONLY, {"pk": "review_cycle", "name": "=calibrate"}),
    "performance:calibration": G(HR_ONLY, {"pk": "review_cycle"}),
    "performance:review_detail": G(
        (L, to("myperformance:review"), N, N, OK, OK, N, OK),
        {"pk": "review_a"},
        personal=True,
        note="the reviewee reads their own review on the self-service page",
    ),
    "performance:review_calibrate": P(HR_ONLY, {"pk": "review_a"}, personal=True),
    "performance:ratings": G(HR_ONLY),
    "performance:rating_new": G(HR_ONLY),
    "performance:rating_edit": G(HR_ONLY, {"pk": "rating_level"}),
    # --- relations (the thread is public and addressed to department A; the project is led by
    # employee, has other_employee as a member and was created by manager) ---------------------
    "relations:feedback_list": G(MANAGER_OR_HR),
    "relations:feedback_thread": G(MANAGER_OR_HR, {"pk": "thread"}, note="a public thread: every head may read it"),
    "relations:feedback_reply": P(
        (L, X, X, R, OK, OK, X, OK),
        {"pk": "thread"},
        data={"body": "=谢谢反馈，我们会跟进。"},
        refusal=FEEDBACK_REFUSAL,
        note="only HR and the addressed head reply",
    ),
    "relations:feedback_close": P(
        (L, X, X, R, OK, OK, X, OK), {"pk": "thread"}, data={}, refusal=FEEDBACK_REFUSAL, note="closing takes no fields"
    ),
    "relations:feedback_hide": P(HR_ONLY, {"pk": "thread"}),
    "relations:feedback_unhide": P(HR_ONLY, {"pk": "thread"}),
    "relations:project_list": G(MANAGER_OR_HR),
    "relations:project_new": G(MANAGER_OR_HR),
    "relations:project_detail": G(
        (L, OK, OK, OK, OK, OK, N, OK),
        {"pk": "project"},
        note="members (A's lead, B's member), the heads of their departments, HR",
    ),
    "relations:project_edit": G((L, OK, X, X, OK, OK, N, OK), {"pk": "project"}),
    "relations:project_move": P(
        (L, OK, R, R, OK, OK, N, OK), {"pk": "project"}, data={"to": "=completed"}, refusal=PROJECT_REFUSAL
    ),
    "relations:project_member_add": P(
        (L, OK, R, R, OK, OK, N, OK),
        {"pk": "project"},
        data=lambda w: {"employee": w.team_member.pk, "role": "", "time_share": "20"},
        refusal=PROJECT_REFUSAL,
        note="A's team member, not yet on the project",
    ),
    "relations:project_member_assess": P(
        (L, OK, R, R, OK, OK, N, OK),
        {"pk": "project", "member_pk": "project_member"},
        data=lambda w: {
            f"m{w.project_member.pk}-participation": "80",
            f"m{w.project_member.pk}-contribution": "4",
            f"m{w.project_member.pk}-note": "",
        },
        refusal=PROJECT_REFUSAL,
    ),
    "relations:project_member_remove": P(
        (L, OK, R, R, OK, OK, N, OK),
        {"pk": "project", "member_pk": "project_member"},
        data={},
        refusal=PROJECT_REFUSAL,
        note="removing takes no fields",
    ),
    "relations:collaboration_bonus_award": P(
        (L, X, X, R, OK, OK, X, OK),
        {"pk": "project"},
        data=lambda w: {"employee": w.employee_b.pk, "amount": "100.00", "month": "2026-03", "reason": "客户访谈"},
        refusal="Only HR and the project's creator can award a bonus.",
        note="HR or the project's creator; B's employee is a member, March is not paid yet",
    ),
    "relations:engagement": G(MANAGER_OR_HR),
    "relations:engagement_new": G(HR_ONLY),
    "relations:engagement_results": G(MANAGER_OR_HR, {"pk": "engagement_round"}, note="rows scoped"),
    "relations:dependence": G(MANAGER_OR_HR),
    # --- public pages: careers, a candidate's assessment (the token is the credential) --------
    "assessment:intro": G(PUBLIC, {"token": "assessment_token"}),
    "assessment:take": G((to("assessment:intro"),) * 8, {"token": "assessment_token"}, note="not started yet"),
    "assessment:autosave": P((N,) * 8, {"token": "assessment_token"}, note="no attempt started: nothing to save"),
    "assessment:submit": P((N,) * 8, {"token": "assessment_token"}, note="no attempt started: nothing to submit"),
    "assessment:done": G((to("assessment:intro"),) * 8, {"token": "assessment_token"}, note="not finished yet"),
    "careers:list": G(PUBLIC),
    "careers:detail": G(PUBLIC, {"pk": "posting"}),
    "careers:apply": G(PUBLIC, {"pk": "posting"}),
    "careers:thanks": G(PUBLIC, {"pk": "posting"}),
    # --- self-service (/me/) ------------------------------------------------------------------
    "mypay:list": G(SIGNED_IN),
    "mypay:detail": G(OWN_ONLY, {"pk": "payslip_a"}, personal=True),
    "mypay:pdf": G(OWN_ONLY, {"pk": "payslip_a"}, personal=True),
    "mytraining:home": G(SIGNED_IN),
    "mytraining:enroll": P(SIGNED_IN, {"pk": "course"}, note="a self-enrolment course"),
    "mysurveys:list": G(SIGNED_IN),
    "mysurveys:answer": G(INVITED, {"pk": "survey"}, note="not invited: a refusal page (403)"),
    "myexams:list": G(SIGNED_IN),
    "myexams:start": P((L, OK, OK, N, N, N, N, N), {"exam_pk": "exam"}, note="the exam of A's and B's course"),
    "myexams:take": G(OWN_ONLY, {"pk": "attempt_a"}, personal=True),
    "myexams:autosave": P(OWN_ONLY, {"pk": "attempt_a"}, personal=True),
    "myexams:submit": P(OWN_ONLY, {"pk": "attempt_a"}, personal=True),
    "myexams:result": G(
        (L, to("myexams:take"), N, N, N, N, N, N),
        {"pk": "attempt_a"},
        personal=True,
        note="an attempt in progress has no result yet: back to the paper",
    ),
    "mycertificates:list": G(SIGNED_IN),
    "mycertificates:upload": P(SIGNED_IN),
    "myonboarding:list": G(SIGNED_IN),
    "myonboarding:set_password": G(
        PUBLIC,
        {"uidb64": "=MQ", "token": "=set-password"},
        note="the welcome link: the token is the proof; a bad one shows 'link no longer valid'",
    ),
    "myhandover:list": G(SIGNED_IN),
    "myperformance:home": G(SIGNED_IN),
    "myperformance:review": G(OWN_ONLY, {"pk": "review_a"}, personal=True),
    "myperformance:review_acknowledge": P(OWN_ONLY, {"pk": "review_a"}, personal=True),
    "myfeedback:home": G(SIGNED_IN),
    "myfeedback:new": G(SIGNED_IN),
    "myfeedback:follow": G(SIGNED_IN),
    "myfeedback:thread": G(SIGNED_IN, {"pk": "thread"}, note="a public thread: every employee may read it"),
    "myprojects:home": G(SIGNED_IN),
    "selfservice:home": G(SIGNED_IN),
    "selfservice:profile": G(SIGNED_IN),
    "selfservice:change_request": P(SIGNED_IN, {"kind": "=contact"}),
    "selfservice:cancel_request": P(OWN_ONLY, {"pk": "change_request_a"}, personal=True),
}

# The same URL with another object, so that object-level access is checked both ways (B's data
# for A's people, unpublished pay): keyed "url name@label", probed like the rows above.
ONLY_B = (L, N, OK, N, N, N, N, N)  # other_employee's own, nobody else's
VARIANTS: dict[str, U] = {
    "mypay:detail@payslip_b": G(ONLY_B, {"pk": "payslip_b"}, note="B's payslip: A's people get 404"),
    "mypay:pdf@payslip_b": G(ONLY_B, {"pk": "payslip_b"}),
    "mypay:detail@calculated": G(
        (L,) + (N,) * 7, {"pk": "payslip_calc_a"}, personal=True, note="a calculated run is not published yet"
    ),
    "mypay:pdf@calculated": G((L,) + (N,) * 7, {"pk": "payslip_calc_a"}, personal=True),
    "payroll:slip_detail@calculated": G(PAYROLL_ONLY, {"pk": "payslip_calc_a"}, personal=True),
    "payroll:slip_pdf@calculated": G(PAYROLL_ONLY, {"pk": "payslip_calc_a"}, personal=True),
    "employees:detail@employee_b": G((L, X, X, OK, N, OK, OK, OK), {"pk": "employee_b"}),
    "employees:document_download@document_b": G((L, N, OK, N, N, OK, N, OK), {"doc_pk": "document_b"}),
    "training:certificate_scan@certificate_b": G((L, N, OK, N, N, OK, N, OK), {"pk": "certificate_b"}),
    "myexams:take@attempt_b": G(ONLY_B, {"pk": "attempt_b"}),
    "payroll:pay_history_xlsx@employee_b": G(PAYROLL_ONLY, {"pk": "employee_b"}),
    "payroll:assignment_detail@employee_b": G(PAYROLL_ONLY, {"pk": "employee_b"}),
    "relations:feedback_thread@private": G(MGR_HR_OBJ_A, {"pk": "thread_private"}, note="addressed to A's head"),
    "relations:feedback_reply@private": P(MGR_HR_OBJ_A, {"pk": "thread_private"}, data={"body": "=收到。"}),
    "myfeedback:thread@private": G((L,) + (N,) * 7, {"pk": "thread_private"}, note="not on the public board"),
}
