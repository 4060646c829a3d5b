"""Timeline events become outbox rows in their own transaction, for the organisation's
endpoints only, carrying ids and states and never another organisation's name."""

import json

import pytest
from django.db import transaction

from associations.choices import ClaimStatus, Reason
from associations.services import claim_disassociate
from disputes import services as reviews
from disputes.models import ArbitrationCase
from tests.webhooks.builders import make_endpoint
from webhooks.models import Delivery, EventType


def _messages(endpoint):
    return [
        (delivery.event_type, delivery.payload["data"])
        for delivery in endpoint.deliveries.order_by("pk")
    ]


def test_filing_a_claim_queues_its_status_changes_in_order(organisation, global_admin, file_claim):
    endpoint = make_endpoint(organisation, global_admin)

    claim = file_claim(global_admin)

    messages = _messages(endpoint)
    assert [(kind, data["from_status"], data["to_status"]) for kind, data in messages] == [
        (EventType.CLAIM_STATUS_CHANGED, ClaimStatus.DRAFT, ClaimStatus.VALIDATING),
        (EventType.CLAIM_STATUS_CHANGED, ClaimStatus.VALIDATING, ClaimStatus.UNDER_REVIEW),
    ]
    data = messages[-1][1]
    assert data["claim_id"] == claim.pk
    assert data["request_id"] == claim.request_id
    assert data["reference"] == claim.request.reference
    assert data["product_code"] == "d365-sales"
    assert data["action"] == "claim.checks_passed"
    delivery = endpoint.deliveries.last()
    assert delivery.payload["type"] == EventType.CLAIM_STATUS_CHANGED
    assert delivery.message_id.startswith("msg_")
    assert (delivery.status, delivery.claim_id) == (Delivery.Status.PENDING, claim.pk)


def test_an_information_request_is_a_status_change_a_question_and_a_reviewer_comment(
    organisation, global_admin, reviewer, file_claim
):
    claim = file_claim(global_admin)
    endpoint = make_endpoint(organisation, global_admin)

    reviews.claim_request_information(
        actor=reviewer, claim=claim, reason=Reason.NO_SIGNATURE, question="Signed page?"
    )

    messages = _messages(endpoint)
    assert [kind for kind, _ in messages] == [
        EventType.CLAIM_STATUS_CHANGED,
        EventType.CLAIM_INFORMATION_REQUESTED,
        EventType.COMMENT_FROM_REVIEWER,
    ]
    assert messages[1][1]["reason"] == Reason.NO_SIGNATURE
    assert "Signed page?" in messages[2][1]["body"]


def test_an_endpoint_gets_only_the_events_it_chose(organisation, global_admin, file_claim):
    claim = file_claim(global_admin)
    endpoint = make_endpoint(organisation, global_admin, types=[EventType.ASSOCIATION_ENDED])
    reviews.claim_approve(actor=None, claim=claim)
    assert not endpoint.deliveries.exists()

    claim_disassociate(actor=global_admin, claim=claim, reason_text="Customer left")

    assert [kind for kind, _ in _messages(endpoint)] == [EventType.ASSOCIATION_ENDED]
    assert _messages(endpoint)[0][1]["reason"] == Reason.PARTNER_REQUEST


def test_another_organisations_endpoint_hears_nothing(
    organisation, global_admin, outsider, other_organisation, file_claim
):
    theirs = make_endpoint(other_organisation, outsider)

    file_claim(global_admin)

    assert not theirs.deliveries.exists()


def test_a_disabled_endpoint_queues_nothing(organisation, global_admin, file_claim):
    endpoint = make_endpoint(organisation, global_admin)
    endpoint.disabled_at = endpoint.created_at
    endpoint.save(update_fields=["disabled_at"])

    file_claim(global_admin)

    assert not endpoint.deliveries.exists()


def test_a_change_that_rolls_back_queues_nothing(organisation, global_admin, file_claim):
    claim = file_claim(global_admin)
    endpoint = make_endpoint(organisation, global_admin)

    with pytest.raises(RuntimeError), transaction.atomic():
        reviews.claim_approve(actor=None, claim=claim)
        raise RuntimeError

    assert not endpoint.deliveries.exists()


def test_a_case_opened_and_decided_names_no_party(
    organisation, other_organisation, global_admin, outsider, reviewer, second_reviewer, file_claim
):
    ours = make_endpoint(organisation, global_admin)
    theirs = make_endpoint(other_organisation, outsider)
    owner = file_claim(global_admin)
    reviews.claim_approve(actor=reviewer, claim=owner)
    challenger = file_claim(outsider)
    case = ArbitrationCase.objects.get()

    # Against the owner: four eyes, proposed by one reviewer and confirmed by another.
    proposal = reviews.case_propose(
        actor=reviewer, case=case, winner=challenger, rationale="Newer proof"
    )
    reviews.proposal_confirm(actor=second_reviewer, proposal=proposal)

    our_kinds = [kind for kind, _ in _messages(ours)]
    their_kinds = [kind for kind, _ in _messages(theirs)]
    assert EventType.CASE_DECIDED in our_kinds
    assert EventType.ASSOCIATION_ENDED in our_kinds
    assert EventType.CASE_OPENED in their_kinds
    assert EventType.CASE_DECIDED in their_kinds
    decided = next(data for kind, data in _messages(ours) if kind == EventType.CASE_DECIDED)
    assert decided["case_id"] == case.pk
    assert decided["to_status"] == ClaimStatus.ENDED
    for endpoint, rival in ((ours, other_organisation), (theirs, organisation)):
        sent = json.dumps([d.payload for d in endpoint.deliveries.all()])
        assert rival.name not in sent
        assert not {d.claim_id for d in endpoint.deliveries.all()} & set(
            rival.requests.values_list("claims__pk", flat=True)
        )
