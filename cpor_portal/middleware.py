"""Response headers every page carries."""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils.cache import patch_cache_control


class PermissionsPolicyMiddleware:
    """Switch off the browser features the portal never uses (camera, location, ...)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class PrivatePagesMiddleware:
    """A signed-in page holds one organisation's data: no shared or browser cache may keep
    it (the back button after logging out shows nothing). Read from the session, which a
    signed-in request has loaded anyway, so an anonymous request pays nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = SESSION_KEY in request.session
        response = self.get_response(request)
        if signed_in or SESSION_KEY in request.session:
            patch_cache_control(response, private=True, no_store=True)
        return response
