"""A rejection can be disputed once, within 30 days; a reviewer answers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from associations.models import Claim, ClaimStatus, Reason
from associations.policy import ActionRefused
from disputes import services
from tests.builders import pdf_upload


@pytest.fixture
def rejected(global_admin, reviewer, file_claim):
    claim = file_claim(global_admin)
    return services.claim_reject(actor=reviewer, claim=claim, reason=Reason.INSUFFICIENT_PROOF)


def _dispute(client, claim):
    return client.post(
        reverse("claim_dispute", args=[claim.request.reference, claim.pk]),
        {"statement": "The proof was signed", "documents": pdf_upload("new.pdf"), "confirm": "on"},
    )


def test_a_partner_disputes_a_rejection_with_new_proof(client, global_admin, rejected):
    client.force_login(global_admin)

    response = _dispute(client, rejected)

    assert response.status_code == 302
    rejected.refresh_from_db()
    assert rejected.status == ClaimStatus.DISPUTED
    assert rejected.dispute.due_at > timezone.now()
    assert rejected.proofs.first().description == "The proof was signed"


def test_the_dispute_window_closes_after_30_days(global_admin, rejected):
    Claim.objects.filter(pk=rejected.pk).update(
        status_changed_at=timezone.now() - timedelta(days=31)
    )

    with pytest.raises(ActionRefused, match="within 30 days"):
        services.claim_dispute(actor=global_admin, claim=rejected, statement="late", uploads=[])


def test_a_rejection_can_be_disputed_only_once(global_admin, reviewer, second_reviewer, rejected):
    dispute = services.claim_dispute(
        actor=global_admin, claim=rejected, statement="first", uploads=[]
    )
    proposal = services.dispute_propose(actor=reviewer, dispute=dispute, rationale="ok")
    services.proposal_confirm(actor=second_reviewer, proposal=proposal)
    rejected.refresh_from_db()
    assert rejected.status == ClaimStatus.APPROVED
    services.claim_customer_decline(claim=rejected)

    with pytest.raises(ActionRefused, match="disputed once"):
        services.claim_dispute(actor=global_admin, claim=rejected, statement="again", uploads=[])


def test_a_refused_dispute_is_final(global_admin, reviewer, rejected):
    dispute = services.claim_dispute(
        actor=global_admin, claim=rejected, statement="first", uploads=[]
    )

    services.dispute_answer(actor=reviewer, dispute=dispute, approve=False, rationale="Unsigned")

    rejected.refresh_from_db()
    assert rejected.status == ClaimStatus.REJECTED_FINAL
    assert "the rejection stands" in rejected.request.comments.last().body


def test_the_dispute_form_needs_new_proof_and_confirmation(client, global_admin, rejected):
    client.force_login(global_admin)

    response = client.post(
        reverse("claim_dispute", args=[rejected.request.reference, rejected.pk]),
        {"statement": "x"},
    )

    assert response.status_code == 400
    rejected.refresh_from_db()
    assert rejected.status == ClaimStatus.REJECTED


def test_another_organisation_cannot_dispute(client, outsider, rejected):
    client.force_login(outsider)

    response = _dispute(client, rejected)

    assert response.status_code == 404
    rejected.refresh_from_db()
    assert rejected.status == ClaimStatus.REJECTED


def test_a_billing_admin_cannot_dispute(client, billing_admin, rejected):
    client.force_login(billing_admin)

    response = _dispute(client, rejected)

    assert response.status_code == 403
    rejected.refresh_from_db()
    assert rejected.status == ClaimStatus.REJECTED


def _detail(client, claim) -> str:
    return client.get(reverse("request_detail", args=[claim.request.reference])).text


def test_the_dispute_button_shows_the_last_day_and_goes_when_the_window_closes(
    client, global_admin, rejected
):
    client.force_login(global_admin)
    last_day = formats.date_format(
        timezone.localtime(rejected.status_changed_at + timedelta(days=30)), "DATE_FORMAT"
    )

    assert f"Dispute this rejection (until {last_day})" in _detail(client, rejected)

    Claim.objects.filter(pk=rejected.pk).update(
        status_changed_at=timezone.now() - timedelta(days=31)
    )
    assert 'data-action="dispute"' not in _detail(client, rejected)
    response = client.get(reverse("claim_dispute", args=[rejected.request.reference, rejected.pk]))
    assert response.status_code == 302
    assert "within 30 days" in client.get(response.url).text


def test_no_dispute_button_for_a_rejection_disputed_before(
    client, global_admin, reviewer, second_reviewer, rejected
):
    dispute = services.claim_dispute(
        actor=global_admin, claim=rejected, statement="first", uploads=[]
    )
    proposal = services.dispute_propose(actor=reviewer, dispute=dispute, rationale="ok")
    services.proposal_confirm(actor=second_reviewer, proposal=proposal)
    services.claim_customer_decline(claim=rejected)
    client.force_login(global_admin)

    page = _detail(client, rejected)

    assert 'data-claim-status="rejected"' in page
    assert 'data-action="dispute"' not in page
