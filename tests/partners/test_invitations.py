"""The invitation link: signed, single-use, expiring; it lets the person set a password and
lands them on the dashboard. Imports and the reviewer command send the same mail."""

import json
import re
import time
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from partners.invitations import invitation_token
from partners.members import member_invite
from partners.models import MemberEvent, Role

PASSWORD = "a-Long-pass-phrase-42"


@pytest.fixture
def invited(global_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership = member_invite(
            actor=global_admin,
            organisation=global_admin.membership.organisation,
            email="petra@northwind.example",
            first_name="Petra",
            last_name="Svobodova",
            role=Role.INCENTIVES_ADMIN,
        )
    return membership.user


def _link(message) -> str:
    return re.search(r"http://\S+(/invitation/\S+/)", message.body).group(1)


def _accept(client, link, password=PASSWORD):
    return client.post(link, {"new_password1": password, "new_password2": password})


def test_the_link_sets_a_password_signs_in_and_lands_on_the_dashboard(client, invited):
    link = _link(mail.outbox[0])
    assert "Welcome, Petra Svobodova" in client.get(link).text

    response = _accept(client, link)

    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    invited.refresh_from_db()
    assert invited.check_password(PASSWORD)
    assert MemberEvent.objects.filter(action=MemberEvent.Action.JOINED, member=invited).exists()


def test_the_link_works_once(client, invited):
    link = _link(mail.outbox[0])
    _accept(client, link)

    again = Client().get(link)

    assert again.status_code == 400
    assert "already been used" in again.text


def test_an_expired_link_is_refused_and_changes_nothing(client, invited, settings):
    with mock.patch(
        "time.time", return_value=time.time() - settings.CPOR_INVITATION_DAYS * 86400 - 5
    ):
        old_link = reverse("invitation_accept", args=[invitation_token(invited)])

    response = _accept(client, old_link)

    assert response.status_code == 400
    assert "has expired" in response.text
    invited.refresh_from_db()
    assert not invited.has_usable_password()


@pytest.mark.parametrize("change", ["tamper", "truncate", "nul"])
def test_a_tampered_link_is_refused(client, invited, change):
    token = _link(mail.outbox[0]).split("/")[-2]
    token = {"tamper": token[:-2] + "xx", "truncate": token[:10], "nul": token + "%00"}[change]

    response = client.get(f"/invitation/{token}/")

    assert response.status_code == 400
    assert "cannot be used" in response.text  # the link's own page, or the portal's 400


def test_a_weak_or_mismatched_password_keeps_the_link_usable(client, invited):
    link = _link(mail.outbox[0])

    weak = _accept(client, link, "123")
    mismatched = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD + "x"})
    nul = _accept(client, link, "pw\x00long-enough-9")

    assert "too short" in weak.text
    assert "two password fields didn" in mismatched.text
    assert nul.status_code == 200
    invited.refresh_from_db()
    assert not invited.has_usable_password()
    assert _accept(client, link).url == reverse("dashboard")


def test_a_deactivated_persons_link_is_refused(client, invited):
    invited.is_active = False
    invited.save()

    assert client.get(_link(mail.outbox[0])).status_code == 400


def test_import_partners_invite_mails_each_new_user_once(
    tmp_path, db, django_capture_on_commit_callbacks
):
    data = {
        "incentive_programs": [],
        "organisations": [
            {
                "name": "Fabrikam Partners",
                "entra_tenant_ids": ["0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"],
                "users": [
                    {"username": "ida", "email": "ida@fabrikam.example", "role": "global_admin"},
                    {"username": "noemail", "role": "billing_admin"},
                ],
            }
        ],
    }
    path = tmp_path / "partners.json"
    path.write_text(json.dumps(data))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_partners", str(path), "--invite", "--language", "cs")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_partners", str(path), "--invite")

    (message,) = mail.outbox
    assert message.to == ["ida@fabrikam.example"]
    assert "Fabrikam Partners" in message.body
    assert message.subject == "Pozvánka na portál CPOR"  # --language cs


def test_create_reviewer_makes_a_staff_reviewer_and_mails_the_invitation(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_reviewer", "Dana@Vendor.example", "Dana Reviewer")

    reviewer = get_user_model().objects.get(email="dana@vendor.example")
    assert reviewer.is_staff
    assert not reviewer.is_superuser
    assert list(reviewer.groups.values_list("name", flat=True)) == ["Reviewers"]
    assert (reviewer.first_name, reviewer.last_name) == ("Dana", "Reviewer")
    assert not reviewer.has_usable_password()
    (message,) = mail.outbox
    assert "The partner review team invites you" in message.body
    with pytest.raises(CommandError, match="already has an account"):
        call_command("create_reviewer", "dana@vendor.example", "Dana Again")
    with pytest.raises(CommandError, match="Enter a valid email address"):
        call_command("create_reviewer", "dana", "Dana")
    with pytest.raises(CommandError, match="at most 150 characters"):
        call_command("create_reviewer", "d" * 150 + "@vendor.example", "Dana")


def test_a_new_reviewer_sets_a_password_then_must_set_up_mfa_before_the_admin(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_reviewer", "dana@vendor.example", "Dana Reviewer")
    _accept(client, _link(mail.outbox[0]))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))
