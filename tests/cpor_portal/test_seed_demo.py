import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from associations.models import AssociationRequest, Claim, ClaimStatus
from cpor_portal.management.commands.seed_demo import SSO_DEMO_USER
from partners.models import Membership, MpnId, Role
from validation.models import Subscription


@pytest.mark.django_db
def test_seed_demo_loads_every_role_and_prints_the_logins(capsys):
    call_command("seed_demo")

    out = capsys.readouterr().out
    assert "password for all: cpor-demo" in out
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert Membership.objects.values("organisation").distinct().count() >= 3
    assert MpnId.objects.filter(partner_type__icontains="FastTrack").exists()
    assert MpnId.objects.filter(enrolments__isnull=True).exists()
    assert get_user_model().objects.get(username="nw-global").check_password("cpor-demo")
    reviewer = get_user_model().objects.get(username="reviewer")
    assert reviewer.is_staff and reviewer.groups.filter(name="Reviewers").exists()
    assert not reviewer.has_perm("disputes.assign")
    lead = get_user_model().objects.get(username="lead-reviewer")
    assert lead.check_password("cpor-demo") and lead.has_perm("disputes.assign")
    assert lead.has_perm("disputes.decide_case")
    for username in ("nw-global", "nw-billing", "nw-sales", "reviewer", "lead-reviewer"):
        assert username in out


@pytest.mark.django_db
def test_seed_demo_leaves_a_claim_for_another_partner_to_compete_with():
    call_command("seed_demo")

    claim = Claim.objects.get()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert claim.request.organisation.name == "Adatum Consulting"
    assert str(claim.subscription_id) == "5ab00000-0000-4000-8000-a30000000001"


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing(capsys):
    call_command("seed_demo")
    before = list(Subscription.objects.order_by("pk").values())
    password = get_user_model().objects.get(username="nw-global").password

    call_command("seed_demo")

    assert "0 created, 0 updated" in capsys.readouterr().out
    assert list(Subscription.objects.order_by("pk").values()) == before
    assert get_user_model().objects.get(username="nw-global").password == password
    assert AssociationRequest.objects.count() == 1


@pytest.mark.django_db
def test_seed_demo_invites_one_person_who_has_not_joined(
    capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")

    invited = get_user_model().objects.get(username="nw-invited")
    assert not invited.has_usable_password()
    assert [message.to for message in mail.outbox if "/invitation/" in message.body] == [
        ["petra@northwind.example"]
    ]
    out = capsys.readouterr().out
    assert "make sso-demo" in out
    assert str(invited.membership.organisation.entra_tenant_ids[0]) == SSO_DEMO_USER["tid"]
