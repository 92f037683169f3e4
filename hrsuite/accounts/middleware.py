"""Ends a session after SESSION_IDLE_TIMEOUT seconds without a request."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

from hrsuite.anonymity import is_anonymous_path

SESSION_KEY = "_hrsuite_last_seen"


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(SESSION_KEY)
            if last_seen is not None and now - int(last_seen) > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity."))
                return redirect_to_login(request.get_full_path())
            # write at most once a minute to spare the session store; never on the anonymous
            # feedback paths, where the stamp would date the post against the poster's session
            if (last_seen is None or now - int(last_seen) >= 60) and not is_anonymous_path(request.path):
                request.session[SESSION_KEY] = now
        return self.get_response(request)
