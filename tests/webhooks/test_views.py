"""/webhooks/: Global admins only, their organisation's endpoints only."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.webhooks.builders import make_endpoint
from webhooks.models import Delivery, Endpoint, EventType


@pytest.fixture
def endpoint(organisation, global_admin):
    return make_endpoint(organisation, global_admin, url="https://127.0.0.1:9/cpor")


def _delivery(endpoint, n=0, status=Delivery.Status.DELIVERED):
    return Delivery.objects.create(
        endpoint=endpoint,
        event_type=EventType.CLAIM_STATUS_CHANGED,
        message_id=f"msg_test{endpoint.pk}_{n}",
        payload={"type": EventType.CLAIM_STATUS_CHANGED, "data": {}},
        status=status,
        created_at=timezone.now(),
        attempts=1,
        last_response_code=200,
        last_duration_ms=12,
    )


def test_a_global_admin_registers_an_endpoint_and_sees_its_secret_once(client, global_admin):
    client.force_login(global_admin)
    response = client.post(
        reverse("webhook_create"),
        {"url": "https://127.0.0.1:8443/hook", "event_types": [EventType.CLAIM_STATUS_CHANGED]},
    )
    endpoint = Endpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.event_types == [EventType.CLAIM_STATUS_CHANGED]
    assert endpoint.created_by == global_admin
    assert endpoint.secret in response.content.decode()
    assert response.headers["Cache-Control"].startswith("max-age=0")
    for page in (reverse("webhook_list"), reverse("webhook_detail", args=[endpoint.pk])):
        shown = client.get(page)
        assert shown.status_code == 200
        assert endpoint.url in shown.content.decode()
        assert endpoint.secret not in shown.content.decode()


@pytest.mark.parametrize("persona", ["incentives_admin", "billing_admin", "other_role"])
def test_other_roles_get_403(client, request, persona, endpoint):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("webhook_list")).status_code == 403
    assert client.get(reverse("webhook_detail", args=[endpoint.pk])).status_code == 403
    response = client.post(
        reverse("webhook_create"),
        {"url": "https://127.0.0.1/x", "event_types": [EventType.CASE_OPENED]},
    )
    assert response.status_code == 403
    assert client.post(reverse("webhook_delete", args=[endpoint.pk])).status_code == 403
    assert Endpoint.objects.count() == 1


def test_billing_admin_gets_403_on_write(client, billing_admin, endpoint):
    client.force_login(billing_admin)
    assert client.post(reverse("webhook_enable", args=[endpoint.pk])).status_code == 403


def test_outsider_gets_404_and_nothing_changes(client, outsider, endpoint):
    delivery = _delivery(endpoint)
    client.force_login(outsider)
    assert client.get(reverse("webhook_detail", args=[endpoint.pk])).status_code == 404
    assert client.get(reverse("webhook_delete", args=[endpoint.pk])).status_code == 404
    assert client.post(reverse("webhook_delete", args=[endpoint.pk])).status_code == 404
    assert client.post(reverse("webhook_enable", args=[endpoint.pk])).status_code == 404
    resend = reverse("webhook_resend", args=[endpoint.pk, delivery.pk])
    assert client.post(resend).status_code == 404
    assert endpoint.url not in client.get(reverse("webhook_list")).content.decode()
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED


def test_a_delivery_of_another_endpoint_is_404(client, global_admin, organisation, endpoint):
    other = make_endpoint(organisation, global_admin, url="https://127.0.0.1:10/other")
    delivery = _delivery(other)
    client.force_login(global_admin)
    response = client.post(reverse("webhook_resend", args=[endpoint.pk, delivery.pk]))
    assert response.status_code == 404


def test_get_on_post_only_url_gives_405(client, global_admin, endpoint):
    delivery = _delivery(endpoint)
    client.force_login(global_admin)
    assert client.get(reverse("webhook_enable", args=[endpoint.pk])).status_code == 405
    assert client.get(reverse("webhook_resend", args=[endpoint.pk, delivery.pk])).status_code == 405


def test_delete_asks_for_confirmation_then_deletes(client, global_admin, endpoint):
    client.force_login(global_admin)
    confirm = client.get(reverse("webhook_delete", args=[endpoint.pk]))
    assert confirm.status_code == 200
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()
    response = client.post(reverse("webhook_delete", args=[endpoint.pk]))
    assert response.status_code == 302
    assert not Endpoint.objects.exists()


def test_a_disabled_endpoint_is_enabled_again(client, global_admin, endpoint):
    Endpoint.objects.filter(pk=endpoint.pk).update(
        disabled_at=timezone.now(),
        disabled_reason=Endpoint.DisabledReason.FAILING,
        failing_since=timezone.now(),
    )
    client.force_login(global_admin)
    page = client.get(reverse("webhook_detail", args=[endpoint.pk])).content.decode()
    assert 'data-state="disabled"' in page
    client.post(reverse("webhook_enable", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert endpoint.failing_since is None


def test_send_again_queues_a_sent_delivery(client, global_admin, endpoint, settings):
    delivery = _delivery(endpoint, status=Delivery.Status.FAILED)
    client.force_login(global_admin)
    response = client.post(reverse("webhook_resend", args=[endpoint.pk, delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at is not None


def test_send_again_is_refused_while_the_endpoint_is_disabled(client, global_admin, endpoint):
    delivery = _delivery(endpoint, status=Delivery.Status.FAILED)
    Endpoint.objects.filter(pk=endpoint.pk).update(disabled_at=timezone.now())
    client.force_login(global_admin)
    response = client.post(reverse("webhook_resend", args=[endpoint.pk, delivery.pk]), follow=True)
    assert "Enable it before sending again" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED


def test_deliveries_are_listed_newest_first_in_keyset_pages(client, global_admin, endpoint):
    deliveries = [_delivery(endpoint, n) for n in range(30)]
    client.force_login(global_admin)
    first = client.get(reverse("webhook_detail", args=[endpoint.pk]))
    shown = [row.pk for row in first.context["deliveries"]]
    assert shown == [d.pk for d in reversed(deliveries)][:25]
    assert "12 ms" in first.content.decode()
    second = client.get(
        reverse("webhook_detail", args=[endpoint.pk]), {"before": first.context["next_before"]}
    )
    assert [row.pk for row in second.context["deliveries"]] == [d.pk for d in deliveries[:5]][::-1]
    assert second.context["next_before"] is None


@pytest.mark.parametrize("rows", [1, 30])
def test_the_deliveries_page_has_a_fixed_query_count(
    client, global_admin, endpoint, rows, django_assert_num_queries
):
    for n in range(rows):
        _delivery(endpoint, n)
    client.force_login(global_admin)
    client.get(reverse("webhook_detail", args=[endpoint.pk]))  # warm the session and caches
    with django_assert_num_queries(4):
        assert client.get(reverse("webhook_detail", args=[endpoint.pk])).status_code == 200


@pytest.mark.parametrize("rows", [1, 5])
def test_the_endpoint_list_has_a_fixed_query_count(
    client, global_admin, organisation, rows, django_assert_num_queries
):
    for n in range(rows):
        make_endpoint(organisation, global_admin, url=f"https://127.0.0.1/{n}")
    client.force_login(global_admin)
    client.get(reverse("webhook_list"))
    with django_assert_num_queries(3):
        assert client.get(reverse("webhook_list")).status_code == 200


@pytest.mark.parametrize("before", ["abc", "-1", "1" * 40, "١٢"])
def test_a_bad_page_cursor_is_400(client, global_admin, endpoint, before):
    client.force_login(global_admin)
    response = client.get(reverse("webhook_detail", args=[endpoint.pk]), {"before": before})
    assert response.status_code == 400


def test_a_non_numeric_id_is_404(client, global_admin):
    client.force_login(global_admin)
    assert client.get("/webhooks/abc/").status_code == 404
    assert client.post("/webhooks/1x/enable/").status_code == 404
    assert client.get("/webhooks/99999999/").status_code == 404


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://127.0.0.1/\x00", "Null characters are not allowed"),
        ("https://127.0.0.1/" + "a" * 500, "at most 500 characters"),
        ("http://127.0.0.1/hook", "must start with https://"),
        ("https://user:pw@127.0.0.1/hook", "user name or password"),
        ("ftp://127.0.0.1/hook", "must start with https://"),
        ("https://[::1/hook", "Enter a valid URL"),
    ],
)
def test_bad_urls_are_form_errors(client, global_admin, url, message):
    client.force_login(global_admin)
    response = client.post(
        reverse("webhook_create"), {"url": url, "event_types": [EventType.CASE_OPENED]}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Endpoint.objects.exists()


def test_an_unknown_event_type_or_none_is_a_form_error(client, global_admin):
    client.force_login(global_admin)
    for types in (["claim.\x00"], []):
        response = client.post(
            reverse("webhook_create"), {"url": "https://127.0.0.1/h", "event_types": types}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["event_types"]
    assert not Endpoint.objects.exists()


@override_settings(CPOR_WEBHOOKS_ALLOW_PRIVATE=False)
@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "10.1.2.3",
        "192.168.0.10",
        "172.16.5.4",
        "169.254.169.254",
        "100.64.0.1",
        "[::1]",
        "[fd00:ec2::254]",
        "[::ffff:127.0.0.1]",
        "[64:ff9b::a9fe:a9fe]",  # NAT64 of the metadata address
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
        "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",  # Teredo
        "0.0.0.0",  # noqa: S104 - an address refused, not bound
    ],
)
def test_private_loopback_and_metadata_addresses_are_refused(client, global_admin, host):
    client.force_login(global_admin)
    response = client.post(
        reverse("webhook_create"),
        {"url": f"https://{host}/hook", "event_types": [EventType.CASE_OPENED]},
    )
    assert "private, loopback or link-local" in response.content.decode()
    assert not Endpoint.objects.exists()


@override_settings(CPOR_WEBHOOKS_ALLOW_PRIVATE=False)
def test_a_public_address_is_accepted(client, global_admin):
    client.force_login(global_admin)
    client.post(
        reverse("webhook_create"),
        {"url": "https://93.184.215.14/hook", "event_types": [EventType.CASE_OPENED]},
    )
    assert Endpoint.objects.get().url == "https://93.184.215.14/hook"


def test_an_organisation_registers_at_most_ten_endpoints(client, global_admin, organisation):
    for n in range(10):
        make_endpoint(organisation, global_admin, url=f"https://127.0.0.1/{n}")
    client.force_login(global_admin)
    response = client.post(
        reverse("webhook_create"),
        {"url": "https://127.0.0.1/11", "event_types": [EventType.CASE_OPENED]},
    )
    assert "the most endpoints it may register" in response.content.decode()
    assert Endpoint.objects.count() == 10


def test_the_navigation_links_the_page_for_global_admins_only(client, global_admin, billing_admin):
    client.force_login(global_admin)
    assert reverse("webhook_list") in client.get(reverse("dashboard")).content.decode()
    client.force_login(billing_admin)
    assert reverse("webhook_list") not in client.get(reverse("dashboard")).content.decode()
