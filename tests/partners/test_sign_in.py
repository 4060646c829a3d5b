"""Sign-in through allauth: rate limits that refuse even the right password, answers that never
tell whether an account exists, password reset and change, closed sign-up."""

import re
import time

import pytest
from allauth.core.internal import ratelimit
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.builders import make_user

LOGIN = reverse("account_login")
DASHBOARD = reverse("dashboard")
WRONG = "The username and/or password you specified are not correct."
LOCKED = "Too many failed sign-ins"


class _Clock:
    """allauth's rate limits read time.time(); the test moves it on instead of sleeping."""

    def __init__(self):
        self.offset = 0.0

    def time(self):
        return time.time() + self.offset

    def __getattr__(self, name):
        return getattr(time, name)


@pytest.fixture
def clock(monkeypatch):
    fake = _Clock()
    monkeypatch.setattr(ratelimit, "time", fake)
    return fake


def _sign_in(client, login, password="pw", **headers):
    return client.post(LOGIN, {"login": login, "password": password}, **headers)


def test_a_partner_signs_in_by_username_or_e_mail(client, global_admin):
    assert _sign_in(client, "global").url == DASHBOARD
    client.post(reverse("account_logout"))

    assert _sign_in(client, global_admin.email.upper()).url == DASHBOARD


def test_the_right_password_is_refused_inside_the_lock_out_and_accepted_after_it(
    client, global_admin, settings, clock
):
    for _attempt in range(settings.CPOR_LOGIN_ATTEMPTS):
        assert WRONG in _sign_in(client, "global", "wrong").text

    locked = _sign_in(client, "global")

    assert locked.status_code == 200
    assert LOCKED in locked.text
    assert "Wait 5 minutes" in locked.text
    assert client.get(DASHBOARD).status_code == 302  # not signed in
    clock.offset = settings.CPOR_LOGIN_LOCKOUT_SECONDS + 1
    assert _sign_in(client, "global").url == DASHBOARD


def test_one_address_is_limited_across_accounts(client, organisation, settings, clock):
    users = [make_user(organisation, username=f"person{n}") for n in range(5)]
    attempts = 0
    while attempts < settings.CPOR_LOGIN_ATTEMPTS_PER_IP:
        for user in users[:4]:
            _sign_in(client, user.username, "wrong")
            attempts += 1

    assert LOCKED in _sign_in(client, users[4].username).text  # an account never tried
    clock.offset = 61
    assert _sign_in(client, users[4].username).url == DASHBOARD


def test_the_username_and_the_e_mail_address_share_one_account_limit(
    client, global_admin, settings, clock
):
    for attempt in range(settings.CPOR_LOGIN_ATTEMPTS):
        login = "global" if attempt % 2 else global_admin.email.upper()
        _sign_in(client, login, "wrong")

    assert LOCKED in _sign_in(client, "global").text
    assert LOCKED in _sign_in(client, global_admin.email).text


def test_behind_a_proxy_each_client_address_has_its_own_limit(
    client, organisation, settings, clock
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    users = [make_user(organisation, username=f"person{n}") for n in range(5)]
    attempts = 0
    while attempts < settings.CPOR_LOGIN_ATTEMPTS_PER_IP:
        for user in users[:4]:
            _sign_in(client, user.username, "wrong", HTTP_X_FORWARDED_FOR="198.51.100.7")
            attempts += 1

    blocked = _sign_in(client, users[4].username, HTTP_X_FORWARDED_FOR="198.51.100.7")
    elsewhere = _sign_in(Client(), users[4].username, HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert LOCKED in blocked.text
    assert elsewhere.url == DASHBOARD


def test_the_answers_never_tell_whether_an_account_exists(client, global_admin, clock):
    unknown, known = Client(), Client()

    assert _sign_in(unknown, "nobody", "wrong").text.count(WRONG) == 1
    assert _sign_in(known, "global", "wrong").text.count(WRONG) == 1
    for _attempt in range(5):
        _sign_in(unknown, "nobody", "wrong")
        _sign_in(known, "global", "wrong")
    assert LOCKED in _sign_in(unknown, "nobody").text
    assert LOCKED in _sign_in(known, "global").text


def test_a_password_reset_answers_the_same_for_any_address_and_mails_only_members(
    client, global_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for address in (global_admin.email, "nobody@northwind.example"):
            response = client.post(reverse("account_reset_password"), {"email": address})
            assert response.url == reverse("account_reset_password_done")

    (message,) = mail.outbox
    assert message.to == [global_admin.email]
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+", message.body).group(0)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    changed = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"password1": "a-new-Pass-phrase-9", "password2": "a-new-Pass-phrase-9"},
    )
    assert changed.status_code == 302
    assert _sign_in(client, "global", "a-new-Pass-phrase-9").url == DASHBOARD


def test_changing_the_password_ends_the_users_other_sessions(global_admin):
    here, elsewhere = Client(), Client()
    here.force_login(global_admin)
    elsewhere.force_login(global_admin)

    response = here.post(
        reverse("account_change_password"),
        {
            "oldpassword": "pw",
            "password1": "a-new-Pass-phrase-9",
            "password2": "a-new-Pass-phrase-9",
        },
    )

    assert response.status_code == 302
    assert here.get(DASHBOARD).status_code == 200
    assert elsewhere.get(DASHBOARD).status_code == 302


def test_a_nul_byte_in_a_new_password_is_a_form_error(client, global_admin):
    client.force_login(global_admin)

    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "pw",
            "password1": "pw\x00long-enough-9",
            "password2": "pw\x00long-enough-9",
        },
    )

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.text
    global_admin.refresh_from_db()
    assert global_admin.check_password("pw")


def test_a_nul_byte_or_an_overlong_login_is_a_form_error(client, global_admin):
    assert "Null characters are not allowed." in _sign_in(client, "glo\x00bal").text
    assert _sign_in(client, "g" * 10_000).status_code == 200


def test_nobody_signs_up(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "username": "new", "password1": "x-Y-z-12345"},
    )

    assert response.status_code == 200
    assert "Sign Up Closed" in response.text
    assert not get_user_model().objects.filter(username="new").exists()


def test_the_first_rounds_login_address_leads_to_the_one_sign_in_page(client):
    response = client.get("/login/?next=/associations/")

    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/associations/"


@pytest.mark.parametrize("path", ["/accounts/email/", "/accounts/3rdparty/"])
def test_e_mail_addresses_and_connected_accounts_are_not_self_service(client, global_admin, path):
    client.force_login(global_admin)

    assert client.get(path).status_code == 404
    assert client.post(path, {"email": "other@example.com", "action_add": ""}).status_code == 404
    global_admin.refresh_from_db()
    assert global_admin.email != "other@example.com"


@pytest.mark.parametrize("email", ["glo\x00bal@partner.example", "x" * 10_000, "not-an-address"])
def test_a_bad_password_reset_address_is_a_form_error(client, db, email):
    response = client.post(reverse("account_reset_password"), {"email": email})

    assert response.status_code == 200
    assert "is-invalid" in response.text or "errorlist" in response.text
    assert mail.outbox == []
