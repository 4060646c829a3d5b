from django.utils.functional import SimpleLazyObject

from core.fragments import Viewer
from partners.access import membership_of


def membership(request):
    """The signed-in partner's membership, so the navigation shows only what the role may use,
    and the `viewer` every cached fragment's key starts with (core.fragments). A request
    refused before AuthenticationMiddleware (a bad Host, a NUL in the URL) has no user: its
    400 page shows no navigation."""
    if not hasattr(request, "user"):
        return {}
    member = membership_of(request.user)
    return {
        "membership": member,
        "viewer": SimpleLazyObject(lambda: Viewer.of(request.user, member)),
    }
