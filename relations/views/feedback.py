"""Placeholder: replaced by the page builder."""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse(status=501)


listing = home = _todo
