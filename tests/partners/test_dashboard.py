import pytest
from django.test import Client
from django.urls import reverse

from tests.builders import make_user

URL = reverse("dashboard")


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={URL}"


@pytest.mark.parametrize("persona", ["global_admin", "incentives_admin", "billing_admin"])
def test_cpor_roles_see_their_organisation(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(URL)

    assert response.status_code == 200
    assert "Northwind Traders" in response.text


def test_other_role_gets_the_ask_your_global_admin_page(client, other_role):
    client.force_login(other_role)

    response = client.get(URL)

    assert response.status_code == 403
    assert 'data-page="no-role"' in response.text
    assert "Ask your Global admin at Northwind Traders" in response.text


@pytest.mark.django_db
def test_user_without_organisation_gets_the_role_page(client):
    client.force_login(make_user(None))

    response = client.get(URL)

    assert response.status_code == 403
    assert "does not belong to a partner organisation" in response.text


def test_navigation_shows_the_admin_link_only_to_staff(client, global_admin, reviewer):
    client.force_login(global_admin)
    assert reverse("admin:index") not in client.get(URL).text

    client.force_login(reviewer)
    assert reverse("admin:index") in client.get(URL).text


@pytest.mark.django_db
def test_login_page_logs_a_partner_in(client):
    make_user(None, username="eva")

    response = client.post(reverse("account_login"), {"login": "eva", "password": "pw"})

    assert response.status_code == 302
    assert response.url == URL


def test_logout_asks_on_get_and_logs_out_on_post_only(client, global_admin):
    client.force_login(global_admin)

    assert client.get(reverse("account_logout")).status_code == 200
    assert client.get(URL).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("engine", ["db", "cached_db"])  # cached_db is the engine with Redis
def test_a_copied_session_cookie_dies_with_the_log_out(client, global_admin, settings, engine):
    settings.SESSION_ENGINE = f"django.contrib.sessions.backends.{engine}"
    client.force_login(global_admin)
    assert client.get(URL).status_code == 200  # with cached_db the session is now cached too
    copied = Client()
    copied.cookies["sessionid"] = client.cookies["sessionid"].value
    assert copied.get(URL).status_code == 200

    client.post(reverse("account_logout"))

    assert copied.get(URL).status_code == 302


def test_the_dashboard_counts_the_organisations_claims_by_status_only(
    client, global_admin, outsider, django_assert_num_queries
):
    from tests.builders import make_product, make_request, make_subscription, make_tenant

    tenant = make_tenant(domains=("contoso.com",))
    sales, service = make_product("d365-sales"), make_product("d365-customer-service")

    def file(user, products, domain="contoso.com"):
        rows = [(product, str(make_subscription(tenant, product).pk)) for product in products]
        organisation = user.membership.organisation
        return make_request(organisation, user, tenant=tenant, products=rows, domain=domain)

    file(global_admin, [sales, service])
    file(global_admin, [sales], domain="wrong.example")
    file(outsider, [service], domain="wrong.example")
    client.force_login(global_admin)

    # session, user with membership and organisation, counts, latest requests with claims
    with django_assert_num_queries(4):
        page = client.get(URL)

    counts = {status: count for status, _label, count in page.context["counts"]}
    assert counts == {"under_review": 2, "action_needed": 1}


def test_a_deactivated_user_is_signed_out_on_the_next_request(client, global_admin):
    """`MembershipBackend` loads the user with the membership; it must still refuse the inactive."""
    client.force_login(global_admin)
    assert client.get(URL).status_code == 200

    global_admin.is_active = False
    global_admin.save()

    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
