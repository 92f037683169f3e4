"""Forms of the handover item page: the typed fields of the item's kind (built from
offboarding.items.FIELDS; the service parses and validates them), a file upload and the
successor's review comment."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hrsuite.core.forms import StyledForm, style_widgets

from . import items as item_fields


class DraftField(forms.CharField):
    """A field marked required (the asterisk) that may still be empty in a draft: the service
    insists on it only when the item is submitted."""

    def validate(self, value):
        if value in self.empty_values:
            return
        super().validate(value)


def _form_field(spec: item_fields.ItemField) -> forms.Field:
    if spec.type == item_fields.TEXTAREA:
        widget: forms.Widget = forms.Textarea(attrs={"rows": 3})
    elif spec.type == item_fields.CHOICE:
        widget = forms.Select(choices=[("", "—"), *spec.choices])
    elif spec.type == item_fields.DATE:
        widget = forms.DateInput(attrs={"type": "date"})
    elif spec.type == item_fields.DECIMAL:
        widget = forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"})
    else:
        widget = forms.TextInput()
    return DraftField(
        widget=widget,
        max_length=spec.max_length,
        strip=True,
        label=str(spec.label),
        help_text=str(spec.help_text),
        required=spec.required,
    )


class ItemDataForm(StyledForm):
    """The fields of one kind of item; values are passed to the service as typed."""

    use_required_attribute = False  # a draft may be saved with required fields empty

    def __init__(self, kind: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for spec in item_fields.fields_for(kind):
            self.fields[spec.name] = _form_field(spec)
        style_widgets(self)

    def item_data(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


class AttachmentForm(StyledForm):
    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext("PDF, Word, Excel, JPG or PNG; at most %(size)s.") % {
            "size": filesizeformat(settings.UPLOAD_MAX_BYTES)
        }


class ReviewForm(StyledForm):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you send the item back: say what is missing or wrong."),
    )
