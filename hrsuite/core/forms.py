"""Form rendering shared by every form: Bootstrap classes on widgets and one field layout."""

from datetime import date

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _


class FormRenderer(TemplatesSetting):
    form_template_name = "components/form.html"
    field_template_name = "components/field.html"


def style_widgets(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
        elif isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
            css = ""
        else:
            css = "form-control"
        if css:
            existing = widget.attrs.get("class", "")
            widget.attrs["class"] = f"{existing} {css}".strip()


class StyledFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)  # type: ignore[arg-type]

    def full_clean(self):
        super().full_clean()
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class StyledForm(StyledFormMixin, forms.Form):
    pass


class StyledModelForm(StyledFormMixin, forms.ModelForm):
    pass


class ServiceValidatedModelForm(StyledModelForm):
    """A model form that copies the input onto the instance and checks each field, but leaves
    uniqueness and the model's constraints to the service, which refuses with a message naming
    the field and the fix (the model's own constraint message would be a second, vaguer one)."""

    def _post_clean(self):
        try:
            self.instance = forms.models.construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(),  # type: ignore[attr-defined]
                validate_unique=False,
                validate_constraints=False,
            )
        except forms.ValidationError as e:
            self._update_errors(e)  # type: ignore[attr-defined]


class DateInput(forms.DateInput):
    """A date picker (<input type="date">) with the ISO value the browser expects."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs=attrs, format=format)


def tree_label(department) -> str:
    """A department's name indented by its depth (full-width spaces), for a select of the tree."""
    return "\u3000" * department.depth + department.name


class MonthField(forms.DateField):
    """A month picker (<input type="month">) giving the first day of the month."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, for example 2026-07.")}

    def to_python(self, value):
        d = super().to_python(value)
        return d.replace(day=1) if isinstance(d, date) else d
