"""Who must use two-factor authentication, and the gate that sends them to set it up first."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.builders import enable_totp, make_user, sign_in, totp_code

ACTIVATE = reverse("mfa_activate_totp")


def _sent_to_enrolment(response) -> bool:
    return response.status_code == 302 and response.url.startswith(ACTIVATE)


@pytest.mark.parametrize("page", ["admin:index", "admin:disputes_reviewclaim_changelist"])
def test_staff_without_an_authenticator_are_sent_to_set_one_up_before_any_admin_page(
    client, db, page
):
    make_user(None, username="new-reviewer", is_staff=True)
    sign_in(client, "new-reviewer")

    response = client.get(reverse(page))

    assert _sent_to_enrolment(response)
    assert f"next={reverse(page)}" in response.url.replace("%2F", "/")
    enrolment = client.get(response.url)
    assert enrolment.status_code == 200
    assert "must use two-factor authentication" in enrolment.text


def test_staff_with_an_authenticator_reach_the_admin(client, reviewer):
    client.force_login(reviewer)

    assert client.get(reverse("admin:index")).status_code == 200


def test_setting_up_the_app_opens_the_admin(client, db):
    staff = make_user(None, username="new-reviewer", is_staff=True)
    sign_in(client, "new-reviewer")
    page = client.get(ACTIVATE).text
    secret = page.split('id="authenticator_secret"')[1].split('value="')[1].split('"')[0]

    response = client.post(ACTIVATE, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_gate_leaves_the_way_to_enrolment_and_out_open(client, db):
    staff = make_user(None, username="new-reviewer", is_staff=True)
    client.force_login(staff)

    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "cs"}).status_code == 302
    assert client.get(reverse("healthz")).status_code in (200, 503)
    assert client.post(reverse("account_logout")).status_code == 302


def test_partners_need_mfa_only_where_their_organisation_requires_it(
    client, global_admin, outsider
):
    organisation = global_admin.membership.organisation
    client.force_login(global_admin)
    assert client.get(reverse("dashboard")).status_code == 200

    organisation.require_mfa = True
    organisation.save()
    assert _sent_to_enrolment(client.get(reverse("dashboard")))

    client.force_login(outsider)  # another organisation
    assert client.get(reverse("dashboard")).status_code == 200


def _reauthenticate(client) -> None:
    """Switching MFA off asks for the password again, even right after signing in."""
    assert client.post(reverse("account_reauthenticate"), {"password": "pw"}).status_code == 302


def test_switching_mfa_off_asks_for_the_password_again(client, global_admin):
    secret = enable_totp(global_admin)
    sign_in(client, "global", totp_secret=secret)

    response = client.post(reverse("mfa_deactivate_totp"), {})

    assert response.url.startswith(reverse("account_reauthenticate"))
    assert Authenticator.objects.filter(user=global_admin, type=Authenticator.Type.TOTP).exists()


def test_someone_who_must_use_mfa_cannot_switch_it_off(client, reviewer):
    sign_in(client, "reviewer", totp_secret=reviewer.totp_secret)
    _reauthenticate(client)

    response = client.post(reverse("mfa_deactivate_totp"), {})

    assert "Two-factor authentication stays on" in response.text

    assert Authenticator.objects.filter(user=reviewer, type=Authenticator.Type.TOTP).exists()


def test_a_partner_who_may_choose_can_switch_it_off(client, global_admin):
    secret = enable_totp(global_admin)
    sign_in(client, "global", totp_secret=secret)
    _reauthenticate(client)

    assert client.post(reverse("mfa_deactivate_totp"), {}).status_code == 302

    assert not Authenticator.objects.filter(
        user=global_admin, type=Authenticator.Type.TOTP
    ).exists()
