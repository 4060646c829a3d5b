from rest_framework import permissions

from partners.access import require_write


class TokenScope(permissions.BasePermission):
    """Any token reads; changing anything needs a token of the `file` scope (403 otherwise,
    with the pages' own reason)."""

    def has_permission(self, request, view):
        membership = getattr(request._request, "membership", None)
        if membership is None:
            return False
        if request.method not in permissions.SAFE_METHODS:
            require_write(membership)
        return True
