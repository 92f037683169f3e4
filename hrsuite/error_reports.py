"""Django's error reports (mailed to ADMINS, kept by error trackers) without ID numbers or bank
accounts, whichever view failed (settings DEFAULT_EXCEPTION_REPORTER_FILTER and
DEFAULT_EXCEPTION_REPORTER):

* POST values of the secret fields (HRSUITE_SECRET_POST_FIELDS: the employee's national_id and
  bank_account, also under a form prefix such as bank-bank_account) are replaced by stars;
* every other value that leaves the request for the report (the URL, GET, POST, META such as the
  query string and the referrer, the local variables of each frame, the exception's message)
  has its long numbers cut to their last four characters (hrsuite.redaction), so a search by ID
  number (a GET) is reported as ?q=****1234.

Views that handle whole rows of personal data (the imports) still mark their local variables
sensitive (`sensitive_variables`): a name or an address is not a number."""

from __future__ import annotations

from pprint import pformat

from django.conf import settings
from django.utils.datastructures import MultiValueDict
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from hrsuite.redaction import mask_long_numbers


class _Shown(str):
    """Text a report shows as it is (the reporter's pprint would add quotes to a str)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def _is_secret(name: str) -> bool:
    return name.rsplit("-", 1)[-1] in settings.HRSUITE_SECRET_POST_FIELDS


def _mask(value):
    return mask_long_numbers(value) if isinstance(value, str) else value


class RedactingReporterFilter(SafeExceptionReporterFilter):
    def _cleansed(self, request, data: MultiValueDict) -> MultiValueDict:
        """A copy of `data` (POST, GET) with the secret fields starred and long numbers masked;
        what a view marked with sensitive_post_parameters stays starred."""
        if not self.is_active(request):
            return data
        data = data.copy()
        for key in list(data):
            if _is_secret(key):
                data.setlist(key, [self.cleansed_substitute])
            else:
                data.setlist(key, [_mask(v) for v in data.getlist(key)])
        return data

    def get_post_parameters(self, request):
        post = super().get_post_parameters(request)
        return post if request is None else self._cleansed(request, post)

    def get_cleansed_multivaluedict(self, request, multivaluedict):
        return self._cleansed(request, super().get_cleansed_multivaluedict(request, multivaluedict))

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        if not self.is_active(request):
            return meta
        return {key: _mask(value) for key, value in meta.items()}

    def cleanse_special_types(self, request, value):
        """A frame's local variable: shown as the reporter would show it, long numbers masked (a
        search term, a row, the request whose repr holds the query string)."""
        value = super().cleanse_special_types(request, value)
        if not self.is_active(request) or value is None or isinstance(value, bool | int | float):
            return value
        try:
            text = pformat(value)
        except Exception:  # a broken __repr__ must not break the report
            return value
        return _Shown(mask_long_numbers(text))


class RedactingExceptionReporter(ExceptionReporter):
    """Masks what the reporter reads from the request itself rather than through the filter: the
    URL, the GET parameters and the exception's text."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if not self.filter.is_active(self.request):
            return data
        if self.request is not None:
            data["request_GET_items"] = list(
                self.filter.get_cleansed_multivaluedict(self.request, self.request.GET).items()
            )
            data["request_insecure_uri"] = mask_long_numbers(data["request_insecure_uri"])
        for key in ("exception_value", "exception_notes"):
            if key in data:
                data[key] = mask_long_numbers(data[key])
        return data
