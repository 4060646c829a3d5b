"""Response headers every page carries, the portal's own 404 page even with DEBUG on, and a
400 for a URL or cookie that PostgreSQL could not compare."""

import http.client

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import BadRequest
from django.http import Http404
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from api.problems import is_api, plain_problem

# What a view or decorator sets to change the policy of its own response (django-csp 4).
_OWN_POLICY = tuple(
    f"_csp_{kind}{suffix}"
    for kind in ("config", "update", "replace", "exempt")
    for suffix in ("", "_ro")
)


class CSPMiddleware(LibraryCSPMiddleware):
    """django-csp, with the site-wide header built once per policy setting: the library
    rebuilds it from the settings for every response (a deep copy and a join, 2.7 % of a list
    request's instructions), though only a response that asks (a decorator, a nonce, a debug
    page, a report-only policy) differs; those still go through the library's own code."""

    _built: tuple = (None, "")

    def _site_wide(self) -> str:
        policy = settings.CONTENT_SECURITY_POLICY
        built_for, header = self._built
        if built_for is not policy:
            header = build_policy()
            self._built = (policy, header)
        return header

    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or any(hasattr(response, name) for name in _OWN_POLICY)
            or (settings.DEBUG and response.status_code in (http.client.NOT_FOUND, 500))
        ):
            return super().process_response(request, response)
        if HEADER not in response:
            response[HEADER] = self._site_wide()
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class SecurityHeadersMiddleware:
    """The Permissions-Policy (no camera, location, ...) on every response, and on a signed-in
    page `Cache-Control: private, no-store`: it holds one organisation's data, so no shared or
    browser cache may keep it (the back button after logging out shows nothing). Signed in is
    read from the session, which a signed-in request loads anyway: an anonymous one pays
    nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = SESSION_KEY in request.session
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if signed_in or SESSION_KEY in request.session:
            patch_cache_control(response, private=True, no_store=True)
        return response


class NotFoundPageMiddleware:
    """With DEBUG on, Django answers a 404 with its technical page: the URL patterns tried and
    the reason the view gave. A partner of a DEBUG deployment (`make run`'s demo) must see the
    portal's page instead, and an object of another organisation must look like one that does
    not exist, so every 404 is rendered with templates/404.html, as Django does with DEBUG
    off (where this middleware does nothing). A view's Http404 arrives here as an exception;
    an unknown URL's (raised before any view, so no `resolver_match`) as Django's response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == http.client.NOT_FOUND
            and request.resolver_match is None
        ):
            return page_not_found(request, Http404())
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None


class RejectNulMiddleware:
    """A NUL byte in the path, a query parameter or a cookie answers 400.

    PostgreSQL cannot hold NUL in text: such a value reaching a query (an admin search or list
    filter, an id in a URL, a session cookie) raises a DataError only when the query runs,
    after every validation, so the page answered 500 (the admin turns only errors raised while
    it builds a filter into its `?e=1` redirect). No legitimate URL or cookie carries NUL, so
    one check here covers every view and filter. Request bodies are left alone: forms refuse
    NUL with a message next to the field, and uploads are binary.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path_info
            or any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items())
            or any(
                "\x00" in key or any("\x00" in value for value in values)
                for key, values in request.GET.lists()
            )
        ):
            if is_api(request):  # the API answers problem details, never the portal's page
                return plain_problem(400, "malformed-request", _("Malformed request"), "NUL")
            raise BadRequest("NUL byte in the URL or a cookie")
        return self.get_response(request)
