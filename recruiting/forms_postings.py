"""Forms of requisitions, postings, keywords and the public application form."""

from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from employees.models import Department, Employee, Position
from hrsuite.core.forms import StyledForm, StyledModelForm
from hrsuite.scoping import scope_for

from .choices import RequisitionStatus, Source
from .models import JobPosting, Requisition
from .selectors import requisitions_visible_to
from .services_postings import resume_max_bytes

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RequisitionForm(StyledModelForm):
    class Meta:
        model = Requisition
        fields = ["position", "department", "headcount", "hiring_manager", "budget_min", "budget_max", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"reason": _("Why the team needs the headcount: growth, a replacement, a new project…")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        self.fields["position"].queryset = Position.objects.order_by("title")
        departments = Department.objects.order_by("path")
        people = Employee.objects.exclude(status="left").select_related("department").order_by("name")
        if not scope.everyone:
            from django.db.models import Q

            in_tree = Q(pk__in=[])
            for path in scope.subtree_paths:
                in_tree |= Q(path__startswith=path)
            departments = departments.filter(in_tree)
            people = people.filter(scope.employees_q())
            if scope.employee_id:
                self.fields["hiring_manager"].initial = scope.employee_id
        self.fields["department"].queryset = departments
        self.fields["hiring_manager"].queryset = people
        self.fields["hiring_manager"].label_from_instance = lambda e: f"{e.name}（{e.department}）"
        self.fields["budget_min"].widget.attrs.update(min=0, step=500)
        self.fields["budget_max"].widget.attrs.update(min=0, step=500)


class DecisionForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when rejecting; the requester reads it."),
    )


class PostingForm(StyledModelForm):
    class Meta:
        model = JobPosting
        fields = [
            "requisition",
            "title",
            "location",
            "closes_on",
            "description",
            "requirements",
            "assessment",
            "assessment_days",
        ]
        widgets = {
            "closes_on": DATE,
            "description": forms.Textarea(attrs={"rows": 8}),
            "requirements": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "closes_on": _("Leave empty to accept applications until the posting is closed."),
            "description": _("Shown on the public careers page. Blank lines separate paragraphs."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["requisition"]
        else:
            field = self.fields["requisition"]
            field.queryset = requisitions_visible_to(user).filter(status=RequisitionStatus.APPROVED)
            field.label_from_instance = lambda r: f"#{r.pk} {r.position} × {r.headcount}（{r.department}）"
        self.fields["description"].required = True


class KeywordForm(StyledForm):
    term = forms.CharField(label=_("term"), max_length=60, required=False)
    weight = forms.IntegerField(label=_("weight"), min_value=1, max_value=10, initial=3, required=False)
    must_have = forms.BooleanField(label=_("must have"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].widget.attrs.update(placeholder=_("e.g. 机器学习 or machine learning"))
        self.fields["weight"].widget.attrs.update(style="max-width: 6rem")


KeywordFormSet = forms.formset_factory(KeywordForm, extra=3, can_delete=True, max_num=60, absolute_max=100)


def keyword_initial(posting: JobPosting) -> list[dict]:
    return [{"term": k.term, "weight": k.weight, "must_have": k.must_have} for k in posting.keywords.all()]


SOURCE_CHOICES = [
    (Source.CAREERS, _("Our careers page")),
    (Source.JOB_BOARD, _("A job board")),
    (Source.REFERRAL, _("An employee referred me")),
    (Source.CAMPUS, _("Campus recruiting")),
    (Source.AGENCY, _("A recruitment agency")),
    (Source.OTHER, _("Other")),
]


class ApplyForm(StyledForm):
    """The public application form. `website` is a honeypot: hidden from people, filled only
    by bots; an application that fills it is dropped quietly."""

    name = forms.CharField(label=_("Full name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False)
    source = forms.ChoiceField(label=_("How did you hear about us?"), choices=SOURCE_CHOICES, initial=Source.CAREERS)
    resume = forms.FileField(
        label=_("Resume"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )
    cover_letter = forms.CharField(
        label=_("Cover letter"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Optional: a few words on why this position interests you."),
    )
    consent = forms.BooleanField(
        label=_("I agree that my application data is processed for recruiting as described above."),
        error_messages={"required": _("Please agree to the processing of your data so we can consider it.")},
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update(autocomplete="name")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")
        limit = filesizeformat(resume_max_bytes())
        self.fields["resume"].help_text = _("PDF or Word (DOCX), at most %(limit)s.") % {"limit": limit}

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website", "").strip())
