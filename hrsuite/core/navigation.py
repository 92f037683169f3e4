"""The navigation: one table of sections and entries, each guarded by a permission. The
sidebar shows a user only what they may open; the permission-matrix tests check that every
page is reachable from here."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    perm: str | None = None  # None: every signed-in user


@dataclass(frozen=True)
class NavSection:
    key: str
    label: str | Promise
    items: tuple[NavItem, ...]


NAVIGATION: tuple[NavSection, ...] = (
    NavSection(
        "overview",
        _("Overview"),
        (
            NavItem(_("Dashboard"), "core:dashboard", "speedometer2"),
            NavItem(_("Notifications"), "notifications:list", "bell"),
        ),
    ),
    NavSection(
        "workspace",
        _("My workspace"),
        (
            NavItem(_("My workspace"), "selfservice:home", "grid", "hrsuite.self_service"),
            NavItem(_("My profile"), "selfservice:profile", "person-badge", "hrsuite.self_service"),
            NavItem(_("My payslips"), "mypay:list", "receipt", "hrsuite.self_service"),
            NavItem(_("My training"), "mytraining:home", "mortarboard", "hrsuite.self_service"),
            NavItem(_("My certificates"), "mycertificates:list", "award", "hrsuite.self_service"),
            NavItem(_("My exams"), "myexams:list", "pencil-square", "hrsuite.self_service"),
            NavItem(_("My surveys"), "mysurveys:list", "chat-square-text", "hrsuite.self_service"),
            NavItem(_("My onboarding"), "myonboarding:list", "list-check", "hrsuite.self_service"),
            NavItem(_("My interviews"), "recruiting:my_interviews", "person-video2", "hrsuite.self_service"),
            NavItem(_("My handover"), "myhandover:list", "clipboard-check", "hrsuite.self_service"),
            NavItem(_("My performance"), "myperformance:home", "bullseye", "hrsuite.self_service"),
            NavItem(_("My projects"), "myprojects:home", "people-fill", "hrsuite.self_service"),
            NavItem(_("Feedback box"), "myfeedback:home", "mailbox", "hrsuite.self_service"),
            NavItem(_("Resign"), "offboarding:resign", "box-arrow-right", "hrsuite.self_service"),
        ),
    ),
    NavSection(
        "team",
        _("My team"),
        (
            NavItem(_("Team members"), "employees:team", "diagram-3", "hrsuite.view_my_team"),
            NavItem(_("Team training"), "training:team", "mortarboard", "hrsuite.view_my_team"),
            NavItem(_("Team certificates"), "training:compliance_matrix", "award", "hrsuite.view_my_team"),
            NavItem(_("Team offboarding"), "offboarding:cases", "person-dash", "hrsuite.view_my_team"),
            NavItem(_("Team reviews"), "performance:team_reviews", "clipboard-data", "hrsuite.view_my_team"),
            NavItem(_("Team feedback"), "relations:feedback_list", "mailbox", "hrsuite.view_my_team"),
            NavItem(_("Team engagement"), "relations:engagement", "emoji-smile", "hrsuite.view_my_team"),
            NavItem(_("Team dependence"), "relations:dependence", "exclamation-diamond", "hrsuite.view_my_team"),
        ),
    ),
    NavSection(
        "people",
        _("People"),
        (
            NavItem(_("Employees"), "employees:list", "people", "hrsuite.view_employees"),
            NavItem(_("Change requests"), "employees:requests", "inbox", "hrsuite.manage_employees"),
            NavItem(_("Import employees"), "employees:import", "upload", "hrsuite.import_employees"),
            NavItem(
                _("Workforce analytics"), "employees:analytics", "bar-chart-line", "hrsuite.view_workforce_analytics"
            ),
            NavItem(_("Organisation"), "employees:org", "diagram-2", "hrsuite.view_employees"),
        ),
    ),
    NavSection(
        "training",
        _("Training"),
        (
            NavItem(_("Courses"), "training:courses", "mortarboard", "hrsuite.manage_training"),
            NavItem(_("Exams"), "exams:exams", "pencil-square", "hrsuite.manage_training"),
            NavItem(_("Question banks"), "exams:banks", "collection", "hrsuite.manage_training"),
            NavItem(_("Surveys"), "surveys:list", "chat-square-text", "hrsuite.manage_training"),
            NavItem(_("Compliance matrix"), "training:compliance_matrix", "grid-3x3", "hrsuite.manage_training"),
            NavItem(_("Certificates"), "training:certificates", "award", "hrsuite.manage_training"),
            NavItem(_("Training analytics"), "training:analytics", "graph-up-arrow", "hrsuite.manage_training"),
            NavItem(_("Compliance incidents"), "training:incidents", "exclamation-triangle", "hrsuite.manage_training"),
        ),
    ),
    NavSection(
        "recruiting",
        _("Recruiting"),
        (
            NavItem(_("Requisitions"), "recruiting:requisitions", "clipboard-plus", "hrsuite.request_headcount"),
            NavItem(_("Job postings"), "recruiting:postings", "megaphone", "hrsuite.view_recruiting"),
            NavItem(_("Offers"), "recruiting:offers", "envelope-paper", "hrsuite.view_recruiting"),
            NavItem(_("Onboarding"), "recruiting:onboarding", "person-check", "hrsuite.view_recruiting"),
            NavItem(_("Recruiting analytics"), "recruiting:analytics", "funnel", "hrsuite.view_recruiting"),
        ),
    ),
    NavSection(
        "offboarding",
        _("Offboarding"),
        (
            NavItem(_("Offboarding cases"), "offboarding:cases", "person-dash", "hrsuite.manage_offboarding"),
            NavItem(_("Overdue handover items"), "offboarding:overdue", "alarm", "hrsuite.manage_offboarding"),
            NavItem(_("Handover templates"), "offboarding:templates", "list-check", "hrsuite.manage_offboarding"),
        ),
    ),
    NavSection(
        "performance",
        _("Performance"),
        (
            NavItem(_("OKRs"), "performance:okr_cycles", "bullseye", "hrsuite.view_okrs"),
            NavItem(_("Review cycles"), "performance:review_cycles", "clipboard-data", "hrsuite.manage_performance"),
            NavItem(_("Rating table"), "performance:ratings", "sliders", "hrsuite.manage_performance"),
        ),
    ),
    NavSection(
        "relations",
        _("Employee relations"),
        (
            NavItem(_("Engagement surveys"), "relations:engagement", "emoji-smile", "hrsuite.manage_relations"),
            NavItem(_("Feedback box"), "relations:feedback_list", "mailbox", "hrsuite.manage_relations"),
            NavItem(_("Collaboration projects"), "relations:project_list", "people-fill", "hrsuite.manage_projects"),
            NavItem(_("Team dependence"), "relations:dependence", "exclamation-diamond", "hrsuite.manage_relations"),
        ),
    ),
    NavSection(
        "payroll",
        _("Payroll"),
        (
            NavItem(_("Pay runs"), "payroll:runs", "cash-stack", "hrsuite.manage_payroll"),
            NavItem(_("Pay analytics"), "payroll:pay_analytics", "graph-up", "hrsuite.manage_payroll"),
            NavItem(_("Period inputs"), "payroll:period_inputs", "pencil-square", "hrsuite.manage_payroll"),
            NavItem(_("Pay assignments"), "payroll:assignments", "person-vcard", "hrsuite.manage_payroll"),
            NavItem(_("Salary structures"), "payroll:structures", "diagram-3", "hrsuite.manage_payroll"),
            NavItem(_("Pay components"), "payroll:components", "list-ul", "hrsuite.manage_payroll"),
            NavItem(_("Input definitions"), "payroll:input_definitions", "input-cursor-text", "hrsuite.manage_payroll"),
            NavItem(_("Social insurance"), "payroll:policies", "shield-check", "hrsuite.manage_payroll"),
            NavItem(_("Tax declarations"), "payroll:declarations", "file-earmark-text", "hrsuite.manage_payroll"),
            NavItem(_("Adjustments"), "payroll:adjustments", "arrow-left-right", "hrsuite.manage_payroll"),
            NavItem(_("Blocked accounts"), "payroll:blocklist", "slash-circle", "hrsuite.manage_payroll"),
        ),
    ),
    NavSection(
        "administration",
        _("Administration"),
        (
            NavItem(_("Audit log"), "audit:list", "journal-text", "hrsuite.view_audit"),
            NavItem(_("System health"), "ops:health_page", "heart-pulse", "hrsuite.view_jobs"),
            NavItem(_("Background jobs"), "ops:jobs", "clock-history", "hrsuite.view_jobs"),
            NavItem(_("Backups"), "ops:backups", "database-check", "hrsuite.view_jobs"),
        ),
    ),
)


def navigation_for(user, current_path: str, *, only: str | None = None) -> list[dict]:
    sections = []
    for section in NAVIGATION:
        if only is not None and section.key != only:
            continue
        items = []
        for item in section.items:
            if item.perm and not user.has_perm(item.perm):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            active = current_path == url or (url != "/" and current_path.startswith(url) and len(url) > 1)
            items.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
        if items:
            sections.append({"key": section.key, "label": section.label, "items": items})
    # only the longest matching entry is active
    actives = [i for s in sections for i in s["items"] if i["active"]]
    if len(actives) > 1:
        keep = max(actives, key=lambda i: len(i["url"]))
        for i in actives:
            i["active"] = i is keep
    return sections
