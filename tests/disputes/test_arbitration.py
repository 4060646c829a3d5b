"""Competing claims open one case per key; a decision leaves one owner; partners stay anonymous."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from associations.models import ClaimStatus, Reason
from associations.policy import ActionRefused
from disputes import services
from disputes.errors import ReviewError
from disputes.models import ArbitrationCase
from partners.models import Role
from tests.builders import make_organisation, make_user


def test_a_second_organisation_opens_a_case_and_both_claims_go_to_arbitration(
    global_admin, outsider, file_claim
):
    first = file_claim(global_admin)
    assert first.status == ClaimStatus.UNDER_REVIEW

    second = file_claim(outsider)

    first.refresh_from_db()
    case = ArbitrationCase.objects.get()
    assert set(case.claims.all()) == {first, second}
    assert (first.status, second.status) == (ClaimStatus.IN_ARBITRATION,) * 2
    assert first.due_at == second.due_at == case.due_at
    told = first.request.comments.last().body
    assert "Another partner has claimed" in told
    assert "Adatum" not in told


def test_a_third_organisation_joins_the_open_case(global_admin, outsider, file_claim):
    file_claim(global_admin)
    file_claim(outsider)
    third_user = make_user(make_organisation("Litware"), Role.GLOBAL_ADMIN)

    third = file_claim(third_user)

    assert ArbitrationCase.objects.count() == 1
    assert third in ArbitrationCase.objects.get().claims.all()
    assert third.status == ClaimStatus.IN_ARBITRATION


def test_a_claim_against_an_approved_owner_opens_a_case_the_owner_stays_approved(
    global_admin, outsider, reviewer, file_claim
):
    owner = file_claim(global_admin)
    services.claim_approve(actor=reviewer, claim=owner)

    challenger = file_claim(outsider)

    owner.refresh_from_db()
    assert owner.status == ClaimStatus.APPROVED
    assert challenger.status == ClaimStatus.IN_ARBITRATION
    assert set(ArbitrationCase.objects.get().claims.all()) == {owner, challenger}


def test_deciding_for_the_challenger_ends_the_owner_and_approves_the_winner(
    global_admin,
    outsider,
    reviewer,
    second_reviewer,
    file_claim,
    django_capture_on_commit_callbacks,
):
    owner = file_claim(global_admin)
    services.claim_approve(actor=second_reviewer, claim=owner)
    challenger = file_claim(outsider)
    case = ArbitrationCase.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.case_propose(
            actor=second_reviewer, case=case, winner=challenger, rationale="Newer proof"
        )
        services.proposal_confirm(actor=reviewer, proposal=proposal)

    owner.refresh_from_db()
    challenger.refresh_from_db()
    case.refresh_from_db()
    assert (owner.status, owner.reason) == (ClaimStatus.ENDED, Reason.LOST_ARBITRATION)
    assert challenger.status == ClaimStatus.APPROVED
    assert (case.status, case.winner, case.decided_by) == ("decided", challenger, reviewer)
    assert "Newer proof" in owner.request.comments.last().body
    assert "Adatum" not in owner.request.comments.last().body
    assert any(
        "/consent/" in m.body
        for m in mail.outbox
        if m.to == [challenger.request.customer_contact_email]
    )


def test_deciding_for_a_challenger_rejects_the_others(global_admin, outsider, reviewer, file_claim):
    first = file_claim(global_admin)
    second = file_claim(outsider)
    case = ArbitrationCase.objects.get()

    services.case_decide(actor=reviewer, case=case, winner=first, rationale="Signed proof")

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ClaimStatus.APPROVED
    assert (second.status, second.reason, second.reason_text) == (
        ClaimStatus.REJECTED,
        Reason.LOST_ARBITRATION,
        "Signed proof",
    )


def test_a_decided_case_cannot_be_decided_again(global_admin, outsider, reviewer, file_claim):
    first = file_claim(global_admin)
    second = file_claim(outsider)
    case = ArbitrationCase.objects.get()
    services.case_decide(actor=reviewer, case=case, winner=first, rationale="x")

    with pytest.raises(ReviewError, match="already been decided"):
        services.case_decide(actor=reviewer, case=case, winner=second, rationale="y")


def test_working_with_the_owner_tells_only_the_challengers(
    global_admin, outsider, reviewer, file_claim
):
    owner = file_claim(global_admin)
    services.claim_approve(actor=reviewer, claim=owner)
    challenger = file_claim(outsider)
    owner_comments = owner.request.comments.count()

    services.case_mark_working_with_owner(actor=reviewer, case=ArbitrationCase.objects.get())

    assert "stays under review longer" in challenger.request.comments.last().body
    assert owner.request.comments.count() == owner_comments


def test_the_partner_page_shows_the_expected_date_but_never_the_competitor(
    client, global_admin, outsider, file_claim
):
    mine = file_claim(global_admin)
    file_claim(outsider)
    mine.refresh_from_db()
    client.force_login(global_admin)

    page = client.get(reverse("request_detail", args=[mine.request.reference])).text

    assert 'data-claim-status="in_arbitration"' in page
    assert f'data-due="{timezone.localtime(mine.due_at):%Y-%m-%d}"' in page
    assert "Adatum" not in page


def test_a_withdrawn_claim_cannot_win_a_case(client, global_admin, outsider, reviewer, file_claim):
    from associations.services import request_withdraw

    first = file_claim(global_admin)
    second = file_claim(outsider)
    request_withdraw(actor=outsider, request=second.request)
    case = ArbitrationCase.objects.get()

    with pytest.raises(ActionRefused, match="not in a state"):
        services.case_decide(actor=reviewer, case=case, winner=second, rationale="x")

    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.status, first.status) == (ClaimStatus.WITHDRAWN, ClaimStatus.IN_ARBITRATION)
    client.force_login(reviewer)
    page = client.get(reverse("admin:disputes_case", args=[case.pk])).text
    assert f'value="{second.pk}"' not in page


def test_a_disputed_claim_in_a_case_is_answered_by_the_decision(
    global_admin, outsider, reviewer, file_claim
):
    mine = file_claim(global_admin)
    services.claim_reject(actor=reviewer, claim=mine, reason=Reason.INSUFFICIENT_PROOF)
    dispute = services.claim_dispute(actor=global_admin, claim=mine, statement="s", uploads=[])
    theirs = file_claim(outsider)
    case = ArbitrationCase.objects.get()
    assert set(case.claims.all()) == {mine, theirs}

    services.case_decide(actor=reviewer, case=case, winner=theirs, rationale="Theirs is signed")

    mine.refresh_from_db()
    dispute.refresh_from_db()
    assert mine.status == ClaimStatus.REJECTED_FINAL
    assert (dispute.upheld, dispute.rationale) == (False, "Theirs is signed")
