"""Single reviews, information requests and their 14-business-day expiry, overdue notices."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from associations.models import ClaimStatus, Comment, Reason, StatusEvent
from associations.policy import ActionRefused
from disputes import services, tasks
from disputes.errors import ReviewError
from disputes.models import ArbitrationCase, InformationRequest
from tests.builders import pdf_upload, set_status


def test_approving_a_claim_under_review_tells_the_partner_and_the_customer(
    global_admin, reviewer, file_claim, django_capture_on_commit_callbacks
):
    claim = file_claim(global_admin)

    with django_capture_on_commit_callbacks(execute=True):
        services.claim_approve(actor=reviewer, claim=claim, note="Proof is complete")

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    event = StatusEvent.objects.get(claim=claim, action="claim.approved")
    assert (event.actor, event.payload) == (
        reviewer,
        {"note": "Proof is complete", "assignee": None, "decided_by": "reviewer"},
    )
    recipients = [m.to[0] for m in mail.outbox]
    assert claim.request.customer_contact_email in recipients
    assert global_admin.email in recipients
    assert str(claim.subscription_id) in claim.request.comments.last().body


def test_rejecting_needs_a_claim_under_review_and_records_the_reason(
    global_admin, reviewer, file_claim
):
    claim = file_claim(global_admin)

    services.claim_reject(
        actor=reviewer, claim=claim, reason=Reason.INSUFFICIENT_PROOF, note="No signature"
    )

    claim.refresh_from_db()
    assert (claim.status, claim.reason, claim.reason_text) == (
        ClaimStatus.REJECTED,
        Reason.INSUFFICIENT_PROOF,
        "No signature",
    )
    assert "dispute this rejection once" in claim.request.comments.last().body
    with pytest.raises(ActionRefused, match="not in a state"):
        services.claim_reject(actor=reviewer, claim=claim, reason=Reason.INSUFFICIENT_PROOF)


def test_a_second_approval_for_the_same_key_is_refused_by_the_database(
    global_admin, outsider, reviewer, file_claim
):
    first = file_claim(global_admin)
    services.claim_approve(actor=reviewer, claim=first)
    # A claim that reached review before the first approval, without a case (a race).
    second = file_claim(outsider)
    ArbitrationCase.objects.all().delete()
    set_status(second, ClaimStatus.UNDER_REVIEW)

    with pytest.raises(ReviewError, match="already approved"):
        services.claim_approve(actor=reviewer, claim=second)

    second.refresh_from_db()
    assert second.status == ClaimStatus.UNDER_REVIEW


def test_an_information_request_asks_in_the_comments_and_the_answer_returns_the_claim(
    client, global_admin, reviewer, file_claim
):
    claim = file_claim(global_admin)
    info = services.claim_request_information(
        actor=reviewer, claim=claim, reason=Reason.NO_SIGNATURE, question="Where is the signature?"
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.INFO_REQUESTED
    question = Comment.objects.get(kind=Comment.Kind.REVIEWER)
    assert "Where is the signature?" in question.body
    client.force_login(global_admin)
    page = client.get(reverse("request_detail", args=[claim.request.reference])).text
    answer_url = reverse("information_answer", args=[claim.request.reference, claim.pk])
    assert answer_url in page

    response = client.post(
        answer_url, {"answer": "Signed copy attached", "documents": pdf_upload("signed.pdf")}
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    info.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert info.answer == "Signed copy attached"
    newest = claim.proofs.first()
    assert newest.documents.get().original_name == "signed.pdf"


def test_an_answer_in_arbitration_returns_the_claim_to_arbitration(
    global_admin, outsider, reviewer, file_claim
):
    file_claim(global_admin)
    second = file_claim(outsider)
    services.claim_request_information(
        actor=reviewer, claim=second, reason=Reason.OLD_DATES, question="Dates?"
    )

    services.information_answer(actor=outsider, claim=second, answer="Updated", uploads=[])

    second.refresh_from_db()
    assert second.status == ClaimStatus.IN_ARBITRATION
    assert second.due_at == ArbitrationCase.objects.get().due_at


def test_an_unanswered_question_rejects_the_claim_after_14_business_days(
    global_admin, reviewer, file_claim
):
    claim = file_claim(global_admin)
    info = services.claim_request_information(
        actor=reviewer, claim=claim, reason=Reason.NO_PROOF, question="Proof?"
    )
    assert tasks.expire_information_requests() == 0

    InformationRequest.objects.filter(pk=info.pk).update(
        due_at=timezone.now() - timedelta(minutes=1)
    )
    assert tasks.expire_information_requests() == 1

    claim.refresh_from_db()
    assert (claim.status, claim.reason) == (ClaimStatus.REJECTED, Reason.NO_RESPONSE)
    assert "No response in time" in claim.request.comments.last().body
    assert tasks.expire_information_requests() == 0


def test_an_overdue_review_is_told_to_the_partner_once(global_admin, file_claim):
    claim = file_claim(global_admin)
    claim.due_at = timezone.now() - timedelta(hours=1)
    claim.save()

    assert tasks.flag_overdue_reviews() == 1
    assert tasks.flag_overdue_reviews() == 0
    assert "takes longer" in claim.request.comments.last().body


def test_an_overdue_case_is_flagged_for_reviewers(global_admin, outsider, file_claim):
    file_claim(global_admin)
    file_claim(outsider)
    ArbitrationCase.objects.update(due_at=timezone.now() - timedelta(hours=1))

    assert tasks.flag_overdue_reviews() == 1

    assert ArbitrationCase.objects.get().overdue_flagged_at is not None


def test_the_arbitration_schedules_exist_after_migrate(db):
    from django_q.models import Schedule

    assert {
        "disputes.tasks.expire_information_requests",
        "disputes.tasks.flag_overdue_reviews",
    } <= set(Schedule.objects.values_list("func", flat=True))
