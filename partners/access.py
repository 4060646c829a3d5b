"""Who may use the portal's partner pages: the one place that decides.

A view wrapped in `cpor_member_required` gets `request.membership`. Users without a CPOR role
(or without an organisation) get the "ask your Global admin" page; a role that may read but not
write gets 403 with the reason on write views.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from partners.models import Membership, Role

WRITE_DENIED = _(
    "Your role (%(role)s) can follow your organisation's requests but not change them. "
    "Filing, fixing and withdrawing requests needs the Global admin or Incentives admin role."
)


def membership_of(user) -> Membership | None:
    """The user's membership with its organisation: `MembershipBackend` reads it with the
    user; a user loaded another way pays one query, once."""
    if not user.is_authenticated:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def require_write(membership: Membership) -> None:
    if not membership.can_write:
        raise PermissionDenied(WRITE_DENIED % {"role": membership.get_role_display()})


def cpor_member_required(view=None, *, write: bool = False):
    def decorator(view_func):
        @login_required
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            membership = membership_of(request.user)
            if membership is None or not membership.can_read:
                return render(
                    request,
                    "partners/no_role.html",
                    {
                        "membership": membership,
                        "roles": [Role.GLOBAL_ADMIN, Role.INCENTIVES_ADMIN, Role.BILLING_ADMIN],
                    },
                    status=403,
                )
            if write:
                require_write(membership)
            request.membership = membership
            return view_func(request, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator
