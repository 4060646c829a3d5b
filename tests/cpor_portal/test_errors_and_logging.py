"""Refusals in the server log (one line, no traceback), the portal's own 404 page with DEBUG on,
and the favicon (whose absence was one more 404 line per page view)."""

import io
import logging

import pytest
from django.db import OperationalError
from django.urls import reverse

from tests.builders import make_mpn, make_product, make_request, make_subscription, make_tenant

NOT_FOUND_TEXT = "There is nothing here, or it is not yours to see."
TECHNICAL_PAGE = "seeing this error because you have"  # Django's DEBUG pages say so


@pytest.fixture
def server_log(settings):
    """What the log handlers configured at start-up print (the console and runserver's), in
    one buffer; with DEBUG on, when Django's own console handler would print too."""
    settings.DEBUG = True
    buffer = io.StringIO()
    handlers = {
        handler
        for name in ("", "django", "django.request", "django.server")
        for handler in logging.getLogger(name).handlers
        if type(handler) is logging.StreamHandler  # not pytest's capturing handlers
    }
    streams = {handler: handler.setStream(buffer) for handler in handlers}
    yield buffer
    for handler, stream in streams.items():
        handler.setStream(stream)


@pytest.fixture
def other_organisations_request(outsider):
    tenant = make_tenant(domains=("contoso.com",))
    sales = make_product("d365-sales")
    organisation = outsider.membership.organisation
    return make_request(
        organisation,
        outsider,
        tenant=tenant,
        products=[(sales, str(make_subscription(tenant, sales).pk))],
        mpn=make_mpn(organisation),
    )


def test_a_refused_action_is_one_line_in_the_server_log_without_a_traceback(
    client, billing_admin, server_log
):
    client.force_login(billing_admin)

    response = client.get(reverse("team_invite"))

    assert response.status_code == 403
    lines = [line for line in server_log.getvalue().splitlines() if line]
    assert lines == [f"Forbidden (Permission denied): {reverse('team_invite')}"]


def test_another_organisations_object_is_one_line_in_the_server_log_without_a_traceback(
    client, global_admin, other_organisations_request, server_log
):
    url = reverse("request_detail", args=[other_organisations_request.reference])
    client.force_login(global_admin)

    response = client.get(url)

    assert response.status_code == 404
    lines = [line for line in server_log.getvalue().splitlines() if line]
    assert lines == [f"Not Found: {url}"]


def test_runservers_request_line_is_left_out_for_a_refusal_but_kept_for_the_rest(server_log):
    server = logging.getLogger("django.server")
    when = "02/Dec/2026 14:05:00"
    answers = (("403", logging.WARNING), ("404", logging.WARNING), ("200", logging.INFO))
    for status, level in answers:
        # As django.core.servers.basehttp.WSGIRequestHandler.log_message logs each request.
        server.log(
            level,
            '"%s" %s %s',
            "GET /x/ HTTP/1.1",
            status,
            "512",
            extra={"request": None, "server_time": when, "status_code": int(status)},
        )

    assert server_log.getvalue().splitlines() == [f'[{when}] "GET /x/ HTTP/1.1" 200 512']


def test_a_server_error_keeps_its_traceback(server_log):
    try:
        raise ValueError("a bug")
    except ValueError as error:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", "/x/", exc_info=error, extra={"status_code": 500}
        )

    log = server_log.getvalue()
    assert log.startswith("Internal Server Error: /x/\nTraceback")
    assert log.count("Internal Server Error") == 1


def test_an_outages_503_is_one_line_naming_the_error(server_log):
    try:
        raise OperationalError("connection failed: no such file\n\tIs the server running?")
    except OperationalError as error:
        logging.getLogger("django.request").error(
            "%s: %s", "Service Unavailable", "/x/", exc_info=error, extra={"status_code": 503}
        )

    assert server_log.getvalue() == (
        "Service Unavailable: /x/ (OperationalError: connection failed: no such file)\n"
    )


def test_with_debug_on_another_organisations_object_shows_the_portals_404_page(
    client, global_admin, other_organisations_request, settings
):
    settings.DEBUG = True
    client.force_login(global_admin)

    response = client.get(reverse("request_detail", args=[other_organisations_request.reference]))

    assert response.status_code == 404
    assert NOT_FOUND_TEXT in response.content.decode()
    assert TECHNICAL_PAGE not in response.content.decode()
    assert response.context["user"] == global_admin  # the portal's layout, signed in


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/no-such-page/", "/accounts/email/"])
def test_with_debug_on_an_unknown_or_closed_url_shows_the_portals_404_page(client, settings, path):
    settings.DEBUG = True

    response = client.get(path)

    assert response.status_code == 404
    assert NOT_FOUND_TEXT in response.content.decode()
    assert TECHNICAL_PAGE not in response.content.decode()


@pytest.mark.django_db
def test_with_debug_on_a_missing_slash_still_redirects(client, settings):
    settings.DEBUG = True

    response = client.get("/associations")

    assert (response.status_code, response.url) == (301, "/associations/")


@pytest.mark.django_db
def test_favicon_ico_leads_to_the_svg_icon(client):
    response = client.get("/favicon.ico", follow=True)

    assert response.redirect_chain == [("/static/favicon.svg", 302)]
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(response.streaming_content)


def test_portal_and_admin_pages_link_the_favicon(client, global_admin, reviewer):
    link = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
    client.force_login(global_admin)
    portal = client.get(reverse("dashboard"))
    client.force_login(reviewer)
    admin = client.get(reverse("admin:index"))

    assert (portal.status_code, admin.status_code) == (200, 200)
    assert link in portal.content.decode()
    assert link in admin.content.decode()
