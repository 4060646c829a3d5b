from django.utils.functional import SimpleLazyObject

from core.fragments import Viewer
from partners.access import membership_of


def membership(request):
    """The signed-in partner's membership, so the navigation shows only what the role may use,
    and the `viewer` every cached fragment's key starts with (core.fragments)."""
    member = membership_of(request.user)
    return {
        "membership": member,
        "viewer": SimpleLazyObject(lambda: Viewer.of(request.user, member)),
    }
