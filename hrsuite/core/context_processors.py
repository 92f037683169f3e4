from django.conf import settings
from django.utils.translation import gettext as _

from hrsuite.roles import role_labels, roles_of

from .navigation import navigation_for


def company_name() -> str:
    return settings.HRSUITE_COMPANY_NAME or _("Demo Financial Holdings Co., Ltd.")


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"company_name": company_name()}
    from hrsuite.notifications.services import unread_count

    return {
        "company_name": company_name(),
        "nav_sections": navigation_for(user, request.path),
        "user_roles": role_labels(roles_of(user)),
        "unread_notifications": unread_count(user),
    }
