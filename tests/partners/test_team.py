"""/team/: every CPOR role sees the members; Global admins invite, change roles, deactivate and
require MFA, each after a confirmation and recorded with who and when."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from partners.models import MemberEvent, Membership, Role
from tests.builders import enable_totp, make_user

TEAM = reverse("team")
INVITE = reverse("team_invite")
PERSON = {
    "email": "Petra@Northwind.example",
    "first_name": "Petra",
    "last_name": "Svobodova",
    "role": Role.INCENTIVES_ADMIN,
}


def _role_url(user):
    return reverse("member_role", args=[user.pk])


def _deactivate_url(user):
    return reverse("member_deactivate", args=[user.pk])


@pytest.mark.parametrize("persona", ["global_admin", "incentives_admin", "billing_admin"])
def test_every_cpor_role_sees_the_members_with_sign_in_mfa_and_sso(
    client, persona, request, global_admin, incentives_admin, billing_admin
):
    enable_totp(incentives_admin)
    client.force_login(request.getfixturevalue(persona))

    page = client.get(TEAM).text

    for user in (global_admin, incentives_admin, billing_admin):
        assert f'data-member="{user.email}"' in page
    row = re.search(rf'<tr data-member="{re.escape(incentives_admin.email)}".*?</tr>', page, re.S)
    assert ">On<" in row.group(0)
    assert ("Invite a person" in page) == (persona == "global_admin")


def test_other_roles_and_staff_do_not_see_the_team(client, other_role):
    client.force_login(other_role)

    response = client.get(TEAM)

    assert response.status_code == 403
    assert 'data-page="no-role"' in response.text


def test_the_team_page_costs_the_same_queries_for_one_member_or_many(
    client, global_admin, organisation, django_assert_num_queries
):
    client.force_login(global_admin)
    client.get(TEAM)
    with django_assert_num_queries(5) as one:
        client.get(TEAM)
    for number in range(8):
        member = make_user(organisation, Role.BILLING_ADMIN, username=f"member{number}")
        enable_totp(member)
        MemberEvent.objects.create(
            organisation=organisation,
            member=member,
            actor=global_admin,
            action=MemberEvent.Action.INVITED,
            created_at=member.date_joined,
        )
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(TEAM)


def test_a_global_admin_invites_a_person_who_gets_a_single_use_link(
    client, global_admin, django_capture_on_commit_callbacks
):
    client.force_login(global_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITE, {**PERSON, "confirmed": "yes"})

    assert response.url == TEAM
    invited = get_user_model().objects.get(email="petra@northwind.example")
    assert not invited.has_usable_password()
    assert invited.membership.role == Role.INCENTIVES_ADMIN
    assert invited.membership.organisation == global_admin.membership.organisation
    (message,) = mail.outbox
    assert message.to == ["petra@northwind.example"]
    assert "Northwind Traders invites you" in message.body
    assert "/invitation/" in message.body
    event = MemberEvent.objects.get()
    assert (event.action, event.actor, event.member) == ("member.invited", global_admin, invited)
    assert 'data-pending="true"' in client.get(TEAM).text


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("email", "not-an-address", "Enter a valid email address."),
        ("first_name", "Pe\x00tra", "Null characters are not allowed."),
        ("last_name", "x" * 10_000, "Ensure this value has at most 150 characters"),
        ("email", "p" * 140 + "@northwind.example", "Ensure this value has at most 150 characters"),
        ("role", "owner", "Select a valid choice."),
        ("email", "petra@northwind.example\nBcc: a@b.example", "Enter a valid email address."),
    ],
)
def test_a_bad_invitation_keeps_the_typed_form_and_creates_nothing(
    client, global_admin, field, value, error
):
    client.force_login(global_admin)

    response = client.post(INVITE, {**PERSON, field: value})

    assert response.status_code == 200
    assert error in response.text
    assert 'value="Svobodova"' in response.text or field == "last_name"
    assert not Membership.objects.filter(user__email__iexact=PERSON["email"]).exists()
    assert mail.outbox == []


def test_an_address_that_has_an_account_anywhere_is_refused(client, global_admin, outsider):
    client.force_login(global_admin)

    response = client.post(INVITE, {**PERSON, "email": outsider.email.upper(), "confirmed": "yes"})

    assert "already has a CPOR account" in response.text
    assert outsider.membership.organisation.name == "Adatum Consulting"
    assert mail.outbox == []


def test_changing_a_role_asks_first_then_changes_it_and_records_it(
    client, global_admin, billing_admin
):
    client.force_login(global_admin)

    confirm = client.get(_role_url(billing_admin))
    assert "Change the role of" in confirm.text
    assert Membership.objects.get(user=billing_admin).role == Role.BILLING_ADMIN

    response = client.post(
        _role_url(billing_admin), {"role": Role.INCENTIVES_ADMIN, "confirmed": "yes"}
    )

    assert response.url == TEAM
    assert Membership.objects.get(user=billing_admin).role == Role.INCENTIVES_ADMIN
    event = MemberEvent.objects.get()
    assert event.action == MemberEvent.Action.ROLE_CHANGED
    assert event.payload == {"previous": "billing_admin", "role": "incentives_admin"}
    assert "Role changed" in client.get(TEAM).text


def test_the_new_role_applies_to_the_members_next_page(client, global_admin, billing_admin):
    member = Client()
    member.force_login(billing_admin)
    assert member.get(reverse("request_create")).status_code == 403
    client.force_login(global_admin)

    client.post(_role_url(billing_admin), {"role": Role.INCENTIVES_ADMIN, "confirmed": "yes"})

    assert member.get(reverse("request_create")).status_code == 200


def test_the_last_global_admin_cannot_step_down_or_be_deactivated(
    client, global_admin, incentives_admin
):
    client.force_login(global_admin)

    demoted = client.post(_role_url(global_admin), {"role": Role.BILLING_ADMIN, "confirmed": "yes"})

    assert "at least one active Global admin" in demoted.text
    assert Membership.objects.get(user=global_admin).role == Role.GLOBAL_ADMIN

    second = make_user(global_admin.membership.organisation, Role.GLOBAL_ADMIN, username="g2")
    second_client = Client()
    second_client.force_login(second)
    second_client.post(_deactivate_url(global_admin))
    global_admin.refresh_from_db()
    assert not global_admin.is_active  # two Global admins: one may go

    refused = second_client.post(
        _role_url(second), {"role": Role.BILLING_ADMIN, "confirmed": "yes"}
    )
    assert "at least one active Global admin" in refused.text
    assert MemberEvent.objects.filter(action=MemberEvent.Action.ROLE_CHANGED).count() == 0


def test_a_global_admin_cannot_deactivate_themselves(client, global_admin):
    make_user(global_admin.membership.organisation, Role.GLOBAL_ADMIN, username="g2")
    client.force_login(global_admin)

    response = client.post(_deactivate_url(global_admin), follow=True)

    assert "You cannot deactivate yourself" in response.text
    global_admin.refresh_from_db()
    assert global_admin.is_active


def test_deactivating_asks_first_then_ends_the_members_sessions(
    client, global_admin, incentives_admin
):
    member = Client()
    member.force_login(incentives_admin)
    assert member.get(reverse("dashboard")).status_code == 200
    client.force_login(global_admin)

    assert "Deactivate" in client.get(_deactivate_url(incentives_admin)).text
    incentives_admin.refresh_from_db()
    assert incentives_admin.is_active
    client.post(_deactivate_url(incentives_admin))

    incentives_admin.refresh_from_db()
    assert not incentives_admin.is_active
    assert member.get(reverse("dashboard")).status_code == 302  # signed out
    event = MemberEvent.objects.get()
    assert (event.action, event.member) == (MemberEvent.Action.DEACTIVATED, incentives_admin)
    signing_in = member.post(reverse("account_login"), {"login": "incentives", "password": "pw"})
    assert signing_in.url == reverse("account_inactive")
    assert member.get(reverse("dashboard")).status_code == 302


def test_sending_the_invitation_again_works_only_for_those_who_have_not_joined(
    client, global_admin, billing_admin, django_capture_on_commit_callbacks
):
    client.force_login(global_admin)
    client.post(INVITE, {**PERSON, "confirmed": "yes"})
    invited = get_user_model().objects.get(email="petra@northwind.example")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("member_reinvite", args=[invited.pk]))
        refused = client.post(reverse("member_reinvite", args=[billing_admin.pk]), follow=True)

    assert [message.to for message in mail.outbox] == [["petra@northwind.example"]]
    assert "has already joined" in refused.text


def test_requiring_mfa_asks_first_and_sends_members_to_set_it_up(
    client, global_admin, incentives_admin
):
    member = Client()
    member.force_login(incentives_admin)
    client.force_login(global_admin)
    enable_totp(global_admin)

    assert "Require two-factor authentication?" in client.get(reverse("team_mfa")).text
    assert member.get(reverse("dashboard")).status_code == 200
    client.post(reverse("team_mfa"), {"require_mfa": "on"})
    client.post(reverse("team_mfa"), {"require_mfa": "on"})  # a second admin, the same ask

    response = member.get(reverse("request_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))
    assert client.get(reverse("dashboard")).status_code == 200  # the admin has an app
    assert MemberEvent.objects.get().action == MemberEvent.Action.MFA_REQUIRED

    client.post(reverse("team_mfa"), {"require_mfa": "off"})
    assert member.get(reverse("request_list")).status_code == 200


@pytest.mark.parametrize("value", [None, "maybe", "on\x00"])
def test_a_bad_mfa_choice_is_a_400_and_changes_nothing(client, global_admin, value):
    client.force_login(global_admin)

    response = client.post(reverse("team_mfa"), {} if value is None else {"require_mfa": value})

    assert response.status_code == 400
    global_admin.membership.organisation.refresh_from_db()
    assert not global_admin.membership.organisation.require_mfa


@pytest.mark.parametrize("persona", ["incentives_admin", "billing_admin"])
def test_only_global_admins_change_the_team(client, persona, request, global_admin):
    client.force_login(request.getfixturevalue(persona))

    for url, data in [
        (INVITE, PERSON),
        (_role_url(global_admin), {"role": Role.OTHER}),
        (_deactivate_url(global_admin), {}),
        (reverse("member_reinvite", args=[global_admin.pk]), {}),
        (reverse("team_mfa"), {}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 403
        assert "needs the Global admin role" in response.text
    global_admin.refresh_from_db()
    assert global_admin.is_active
    assert global_admin.membership.role == Role.GLOBAL_ADMIN
    assert MemberEvent.objects.count() == 0


def test_outsider_gets_404_and_nothing_changes(client, outsider, billing_admin):
    client.force_login(outsider)

    for url, data in [
        (_role_url(billing_admin), {"role": Role.GLOBAL_ADMIN}),
        (_deactivate_url(billing_admin), {}),
        (reverse("member_reinvite", args=[billing_admin.pk]), {}),
    ]:
        assert client.get(url).status_code in (404, 405)
        assert client.post(url, data).status_code == 404
    billing_admin.refresh_from_db()
    assert billing_admin.is_active
    assert billing_admin.membership.role == Role.BILLING_ADMIN


def test_get_on_post_only_url_gives_405(client, global_admin, billing_admin):
    client.force_login(global_admin)

    assert client.get(reverse("member_reinvite", args=[billing_admin.pk])).status_code == 405


@pytest.mark.parametrize(
    "path", ["/team/abc/role/", "/team/99999999999999999999/role/", "/team/-1/deactivate/"]
)
def test_a_bad_member_id_is_a_404(client, global_admin, path):
    client.force_login(global_admin)

    assert client.get(path).status_code == 404


def test_every_team_post_needs_the_csrf_token(global_admin, billing_admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(global_admin)

    for url, data in [
        (INVITE, PERSON),
        (_role_url(billing_admin), {"role": Role.OTHER}),
        (_deactivate_url(billing_admin), {}),
        (reverse("member_reinvite", args=[billing_admin.pk]), {}),
        (reverse("team_mfa"), {}),
    ]:
        assert client.post(url, data).status_code == 403
    billing_admin.refresh_from_db()
    assert (billing_admin.is_active, billing_admin.membership.role) == (True, Role.BILLING_ADMIN)


def test_team_changes_show_in_the_admin(client, global_admin, billing_admin, reviewer):
    client.force_login(global_admin)
    client.post(_role_url(billing_admin), {"role": Role.INCENTIVES_ADMIN, "confirmed": "yes"})
    client.force_login(reviewer)

    page = client.get(reverse("admin:partners_memberevent_changelist")).text

    assert "Role changed" in page
    assert "Northwind Traders" in page


def test_a_superuser_invites_an_organisations_first_global_admin_from_the_admin(
    client, organisation, db, django_capture_on_commit_callbacks
):
    superuser = make_user(None, username="root", is_staff=True, is_superuser=True)
    enable_totp(superuser)
    first = get_user_model().objects.create_user(
        username="ida@northwind.example", email="ida@northwind.example"
    )
    membership = Membership.objects.create(
        user=first, organisation=organisation, role=Role.GLOBAL_ADMIN
    )
    client.force_login(superuser)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:partners_membership_changelist"),
            {"action": "send_invitation", "index": "0", "_selected_action": [membership.pk]},
            follow=True,
        )

    assert "Invitations sent: 1" in response.text
    (message,) = mail.outbox
    assert message.to == ["ida@northwind.example"]
    assert "/invitation/" in message.body


def test_a_reviewer_cannot_send_invitations_from_the_admin(
    client, reviewer, organisation, django_capture_on_commit_callbacks
):
    invited = get_user_model().objects.create_user(username="ida", email="ida@northwind.example")
    membership = Membership.objects.create(user=invited, organisation=organisation, role="other")
    client.force_login(reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:partners_membership_changelist"),
            {"action": "send_invitation", "index": "0", "_selected_action": [membership.pk]},
        )

    assert response.status_code == 200  # the changelist, which offers reviewers no action
    assert 'value="send_invitation"' not in response.text
    assert mail.outbox == []
    assert not MemberEvent.objects.exists()


@pytest.mark.parametrize("role", ["global_admin\x00", "x" * 10_000, ""])
def test_a_bad_role_is_a_form_error_and_changes_nothing(client, global_admin, billing_admin, role):
    client.force_login(global_admin)

    response = client.post(_role_url(billing_admin), {"role": role})

    assert response.status_code == 200
    assert "is-invalid" in response.text
    assert Membership.objects.get(user=billing_admin).role == Role.BILLING_ADMIN


@pytest.mark.parametrize("page", ["abc", "99999999999999999999", "-1"])
def test_any_page_number_shows_a_page_of_members(client, global_admin, page):
    client.force_login(global_admin)

    response = client.get(TEAM, {"page": page})

    assert response.status_code == 200
    assert f'data-member="{global_admin.email}"' in response.text


def test_an_invitation_is_confirmed_before_it_is_sent_and_can_be_changed(client, global_admin):
    client.force_login(global_admin)

    asked = client.post(INVITE, PERSON)

    assert "Invite Petra Svobodova (petra@northwind.example) as Incentives admin?" in asked.text
    assert 'name="confirmed" value="yes"' in asked.text
    assert not get_user_model().objects.filter(email="petra@northwind.example").exists()
    assert mail.outbox == []
    again = client.post(INVITE, {**PERSON, "edit": "yes"})
    assert again.status_code == 200
    assert 'value="Svobodova"' in again.text
    assert "Invite Petra" not in again.text


def test_a_role_change_is_confirmed_before_it_is_made(client, global_admin, billing_admin):
    client.force_login(global_admin)

    asked = client.post(_role_url(billing_admin), {"role": Role.INCENTIVES_ADMIN})

    assert "from Billing admin to Incentives admin?" in asked.text
    assert Membership.objects.get(user=billing_admin).role == Role.BILLING_ADMIN
    assert not MemberEvent.objects.exists()
