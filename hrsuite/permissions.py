"""Page guards used by every view: anonymous users are sent to the login page (302), signed-in
users without the permission get 403. Object-level visibility comes from hrsuite.scoping."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def require_perm(*perms: str):
    """Require a signed-in user holding at least one of `perms` (rules permissions)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_perm(p) for p in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded = login_required(wrapped)
        guarded.required_perms = perms  # read by the permission-matrix test
        return guarded

    return decorator


def require_login(view):
    guarded = login_required(view)
    guarded.required_perms = ()
    return guarded
