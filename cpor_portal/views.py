import sys

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template import loader
from django.templatetags.static import static
from django.utils import translation
from django.views import defaults
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from cpor_portal.outages import RETRY_AFTER_SECONDS, is_connection_failure
from partners.access import membership_of
from partners.services import membership_set_language


@require_POST
def set_language(request):
    """Django's language switch (a cookie), also remembered on the partner's membership."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    membership = membership_of(request.user)
    if membership is not None and language in dict(settings.LANGUAGES):
        membership_set_language(membership=membership, language=language)
    return response


def not_found(request):
    raise Http404


def favicon(request):
    """Browsers ask for /favicon.ico whatever a page links; the icon is the SVG in static/
    (its URL carries a content hash in production, so the redirect is not permanent)."""
    return redirect(static("favicon.svg"))


def server_error(request):
    """handler500, which answers an unreachable database with a short 503 page and a
    Retry-After header instead of the plain 500 page.

    Django calls it inside its `except` block, wherever the failure was raised (loading the
    session or the user in a middleware, or in the view), so the exception is at hand here;
    a middleware only sees the views' exceptions. The page is rendered without the request:
    no session, user or membership lookup, nothing that would ask the database that is down.
    """
    if not is_connection_failure(sys.exception()):
        return defaults.server_error(request)
    with translation.override(translation.get_language_from_request(request)):
        body = loader.render_to_string("503.html")
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
