"""Four eyes: taking an association from its owner, or approving after a dispute, is proposed by
one reviewer and confirmed by another; the partners see only the outcome."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from associations.models import ClaimStatus, StatusEvent
from disputes import services
from disputes.errors import ReviewError
from disputes.models import ArbitrationCase, Proposal


@pytest.fixture
def contested(global_admin, outsider, reviewer, file_claim):
    """Northwind owns the key (approved); Adatum challenges it: an open case."""
    owner = file_claim(global_admin)
    services.claim_approve(actor=reviewer, claim=owner)
    challenger = file_claim(outsider)
    return owner, challenger, ArbitrationCase.objects.get()


@pytest.fixture
def disputed(global_admin, reviewer, file_claim):
    claim = file_claim(global_admin)
    services.claim_reject(actor=reviewer, claim=claim, reason="insufficient_proof")
    return services.claim_dispute(actor=global_admin, claim=claim, statement="Signed", uploads=[])


def _decide(client, case, winner, rationale="Newer signed proof"):
    return client.post(
        reverse("admin:disputes_case", args=[case.pk]),
        {"action": "decide", "decide-winner": winner.pk, "decide-rationale": rationale},
    )


def _proposal_post(client, proposal, **data):
    return client.post(reverse("admin:disputes_proposal", args=[proposal.pk]), data)


def _statuses(*claims):
    for claim in claims:
        claim.refresh_from_db()
    return [claim.status for claim in claims]


def test_deciding_against_the_owner_only_proposes(client, reviewer, contested):
    owner, challenger, case = contested
    client.force_login(reviewer)

    assert (
        'data-four-eyes="true"' in client.get(reverse("admin:disputes_case", args=[case.pk])).text
    )
    _decide(client, case, challenger)

    proposal = Proposal.objects.get()
    assert (proposal.case, proposal.winner, proposal.proposed_by) == (case, challenger, reviewer)
    assert _statuses(owner, challenger) == [ClaimStatus.APPROVED, ClaimStatus.IN_ARBITRATION]
    case.refresh_from_db()
    assert case.is_open
    case_page = client.get(reverse("admin:disputes_case", args=[case.pk])).text
    claim_page = client.get(reverse("admin:disputes_review", args=[challenger.pk])).text
    assert 'data-proposal="open"' in case_page and 'data-form="decide"' not in case_page
    assert 'data-proposal="open"' in claim_page and "Decision proposed" in claim_page


def test_the_proposer_cannot_confirm_or_send_back_their_own_proposal(client, reviewer, contested):
    owner, challenger, case = contested
    client.force_login(reviewer)
    _decide(client, case, challenger)
    proposal = Proposal.objects.get()

    page = client.get(reverse("admin:disputes_case", args=[case.pk])).text
    confirmed = _proposal_post(client, proposal, action="confirm")
    sent_back = _proposal_post(client, proposal, action="send_back", **{"send_back-note": "No"})

    assert 'data-form="confirm"' not in page
    assert (confirmed.status_code, sent_back.status_code) == (403, 403)
    proposal.refresh_from_db()
    assert proposal.is_open
    assert _statuses(owner, challenger) == [ClaimStatus.APPROVED, ClaimStatus.IN_ARBITRATION]
    with pytest.raises(ReviewError, match="second reviewer must confirm"):
        services.proposal_confirm(actor=reviewer, proposal=proposal)


def test_a_second_reviewer_confirms_and_the_events_name_both(
    client, reviewer, second_reviewer, contested
):
    owner, challenger, case = contested
    services.case_assign(actor=reviewer, case=case, assignee=reviewer)
    proposal = services.case_propose(
        actor=reviewer, case=case, winner=challenger, rationale="Newer signed proof"
    )
    client.force_login(second_reviewer)

    assert 'data-form="confirm"' in client.get(reverse("admin:disputes_case", args=[case.pk])).text
    response = _proposal_post(client, proposal, action="confirm")

    assert response.status_code == 302
    assert _statuses(owner, challenger) == [ClaimStatus.ENDED, ClaimStatus.APPROVED]
    case.refresh_from_db()
    assert (case.status, case.decided_by, case.winner) == ("decided", second_reviewer, challenger)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.resolved_by) == (Proposal.Status.CONFIRMED, second_reviewer)
    for claim, action in ((owner, "case.lost"), (challenger, "case.won")):
        event = StatusEvent.objects.get(claim=claim, action=action)
        assert event.actor == second_reviewer
        assert (
            event.payload["proposed_by"],
            event.payload["decided_by"],
            event.payload["assignee"],
        ) == ("reviewer", "second-reviewer", "reviewer")


def test_a_second_reviewer_sends_it_back_with_a_note_and_nothing_is_decided(
    client, reviewer, second_reviewer, contested
):
    owner, challenger, case = contested
    proposal = services.case_propose(actor=reviewer, case=case, winner=challenger, rationale="x")
    client.force_login(second_reviewer)

    _proposal_post(client, proposal, action="send_back", **{"send_back-note": "Proof unsigned"})

    proposal.refresh_from_db()
    assert (proposal.status, proposal.note) == (Proposal.Status.SENT_BACK, "Proof unsigned")
    assert _statuses(owner, challenger) == [ClaimStatus.APPROVED, ClaimStatus.IN_ARBITRATION]
    event = StatusEvent.objects.get(claim=challenger, action="decision.sent_back")
    assert event.payload["sent_back_by"] == "second-reviewer"
    # The proposer may propose again.
    services.case_propose(actor=reviewer, case=case, winner=challenger, rationale="Signed now")


@pytest.mark.parametrize("note", ["", "bad\x00note", "x" * 20_000])
def test_sending_back_needs_a_sound_note(client, reviewer, second_reviewer, contested, note):
    _owner, challenger, case = contested
    proposal = services.case_propose(actor=reviewer, case=case, winner=challenger, rationale="x")
    client.force_login(second_reviewer)

    response = _proposal_post(client, proposal, action="send_back", **{"send_back-note": note})

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.is_open


def test_a_decision_for_the_owner_needs_no_second_reviewer(client, reviewer, contested):
    owner, challenger, case = contested
    client.force_login(reviewer)

    _decide(client, case, owner)

    assert not Proposal.objects.exists()
    assert _statuses(owner, challenger) == [ClaimStatus.APPROVED, ClaimStatus.REJECTED]


def test_a_one_step_decision_that_needs_four_eyes_is_refused(reviewer, contested):
    _owner, challenger, case = contested

    with pytest.raises(ReviewError, match="propose it"):
        services.case_decide(actor=reviewer, case=case, winner=challenger, rationale="x")


def test_an_open_proposal_holds_back_a_one_step_decision(reviewer, second_reviewer, contested):
    owner, challenger, case = contested
    services.case_propose(actor=reviewer, case=case, winner=challenger, rationale="x")

    with pytest.raises(ReviewError, match="confirm it or send it back"):
        services.case_decide(actor=second_reviewer, case=case, winner=owner, rationale="y")


def test_approving_after_a_dispute_needs_a_second_reviewer(
    client, reviewer, second_reviewer, disputed
):
    claim = disputed.claim
    client.force_login(reviewer)
    review = reverse("admin:disputes_review", args=[claim.pk])

    client.post(
        review,
        {"action": "dispute", "dispute-decision": "approve", "dispute-rationale": "Signed"},
    )

    assert _statuses(claim) == [ClaimStatus.DISPUTED]
    proposal = Proposal.objects.get(dispute=disputed)
    assert "Decision proposed" in client.get(review).text
    assert _proposal_post(client, proposal, action="confirm").status_code == 403
    client.force_login(second_reviewer)
    _proposal_post(client, proposal, action="confirm")
    assert _statuses(claim) == [ClaimStatus.APPROVED]
    disputed.refresh_from_db()
    assert (disputed.answered_by, disputed.upheld) == (second_reviewer, True)
    event = StatusEvent.objects.get(claim=claim, action="dispute.upheld")
    assert (event.payload["proposed_by"], event.payload["decided_by"]) == (
        "reviewer",
        "second-reviewer",
    )


def test_refusing_a_dispute_stays_one_step(reviewer, disputed):
    with pytest.raises(ReviewError, match="propose it"):
        services.dispute_answer(actor=reviewer, dispute=disputed, approve=True, rationale="x")

    services.dispute_answer(actor=reviewer, dispute=disputed, approve=False, rationale="No")

    assert _statuses(disputed.claim) == [ClaimStatus.REJECTED_FINAL]


def test_the_setting_turns_four_eyes_off(settings, reviewer, contested):
    settings.CPOR_FOUR_EYES = False
    owner, challenger, case = contested
    with pytest.raises(ReviewError, match="needs no second reviewer"):
        services.case_propose(actor=reviewer, case=case, winner=challenger, rationale="x")

    services.case_decide(actor=reviewer, case=case, winner=challenger, rationale="x")

    assert _statuses(owner, challenger) == [ClaimStatus.ENDED, ClaimStatus.APPROVED]


def test_the_sla_clock_counts_to_the_confirmation(reviewer, second_reviewer, contested):
    _owner, challenger, case = contested
    proposed_at = case.due_at - timedelta(hours=1)
    confirmed_at = case.due_at + timedelta(days=1)
    proposal = services.case_propose(
        actor=reviewer, case=case, winner=challenger, rationale="x", now=proposed_at
    )

    assert services.case_flag_overdue(case=case, now=case.due_at + timedelta(minutes=1))
    services.proposal_confirm(actor=second_reviewer, proposal=proposal, now=confirmed_at)

    case.refresh_from_db()
    assert case.decided_at == confirmed_at > case.due_at


def test_partners_see_only_the_outcome(
    client, global_admin, outsider, reviewer, second_reviewer, contested
):
    owner, challenger, case = contested
    proposal = services.case_propose(
        actor=reviewer, case=case, winner=challenger, rationale="Signed"
    )
    client.force_login(outsider)
    proposed = client.get(reverse("request_detail", args=[challenger.request.reference])).text
    services.proposal_confirm(actor=second_reviewer, proposal=proposal)
    client.force_login(global_admin)
    decided = client.get(reverse("request_detail", args=[owner.request.reference])).text

    assert 'data-event="decision.proposed"' not in proposed
    assert 'data-claim-status="in_arbitration"' in proposed
    assert 'data-event="case.lost"' in decided and 'data-event="decision.proposed"' not in decided
    assert "second-reviewer" not in decided and "Adatum" not in decided


def test_get_on_post_only_url_gives_405(client, reviewer, contested):
    _owner, challenger, case = contested
    proposal = services.case_propose(actor=reviewer, case=case, winner=challenger, rationale="x")
    client.force_login(reviewer)

    assert client.get(reverse("admin:disputes_proposal", args=[proposal.pk])).status_code == 405


@pytest.mark.parametrize("action", ["approve", "confirm\x00", ""])
def test_an_unknown_proposal_action_is_a_bad_request(
    client, reviewer, second_reviewer, contested, action
):
    _owner, challenger, case = contested
    proposal = services.case_propose(actor=reviewer, case=case, winner=challenger, rationale="x")
    client.force_login(second_reviewer)

    assert _proposal_post(client, proposal, action=action).status_code == 400
    proposal.refresh_from_db()
    assert proposal.is_open


def test_an_unknown_proposal_is_not_found(client, second_reviewer):
    client.force_login(second_reviewer)

    response = client.post(reverse("admin:disputes_proposal", args=[999999]), {"action": "confirm"})

    assert response.status_code == 404


def test_a_partner_cannot_confirm(client, global_admin, reviewer, contested):
    owner, challenger, case = contested
    proposal = services.case_propose(actor=reviewer, case=case, winner=challenger, rationale="x")
    client.force_login(global_admin)

    response = _proposal_post(client, proposal, action="confirm")

    assert response.status_code == 302 and "/login/" in response.url
    assert _statuses(owner, challenger) == [ClaimStatus.APPROVED, ClaimStatus.IN_ARBITRATION]


def test_the_clock_is_not_moved_by_a_proposal(reviewer, contested):
    _owner, challenger, case = contested
    due_at = case.due_at

    services.case_propose(actor=reviewer, case=case, winner=challenger, rationale="x")

    case.refresh_from_db()
    challenger.refresh_from_db()
    assert case.due_at == due_at and challenger.due_at == due_at
    assert timezone.now() < due_at


def test_the_index_and_the_proposals_list_lead_the_second_reviewer_to_the_case(
    client, reviewer, second_reviewer, contested
):
    _owner, challenger, case = contested
    proposal = services.case_propose(actor=reviewer, case=case, winner=challenger, rationale="x")
    client.force_login(second_reviewer)

    index = client.get(reverse("admin:index")).text
    listed = client.get(reverse("admin:disputes_proposal_changelist"), {"status__exact": "open"})
    opened = client.get(reverse("admin:disputes_proposal_change", args=[proposal.pk]))

    assert 'data-proposals="1"' in index
    assert [row.pk for row in listed.context["cl"].result_list] == [proposal.pk]
    assert opened.url == reverse("admin:disputes_case", args=[case.pk])
