"""Reads for the reviewers' pages."""

from django.db.models import Prefetch, QuerySet

from associations.models import CheckResult, Claim, Comment, Proof
from associations.policy import REVIEW_QUEUE_STATUSES
from disputes.models import ArbitrationCase


def claims_for_review(claim_ids) -> list[Claim]:
    """Everything a reviewer weighs, per claim: proof newest first, checks, comments."""
    claims = (
        Claim.objects.filter(pk__in=claim_ids)
        .select_related("request__organisation", "request__mpn", "product")
        .prefetch_related(
            Prefetch("check_results", queryset=CheckResult.objects.order_by("pk")),
        )
        .order_by("request__submitted_at", "pk")
    )
    result = list(claims)
    request_ids = {claim.request_id for claim in result}
    proofs = list(
        Proof.objects.filter(request_id__in=request_ids)
        .select_related("author")
        .prefetch_related("documents")
        .order_by("-created_at", "-pk")
    )
    comments = list(
        Comment.objects.filter(request_id__in=request_ids).select_related("author").order_by("pk")
    )
    for claim in result:
        claim.review_proofs = [
            p for p in proofs if p.request_id == claim.request_id and p.claim_id in (None, claim.pk)
        ]
        claim.review_comments = [c for c in comments if c.request_id == claim.request_id]
    return result


def review_queue() -> QuerySet:
    return Claim.objects.filter(status__in=REVIEW_QUEUE_STATUSES)


def open_case(claim: Claim) -> ArbitrationCase | None:
    """The arbitration case the claim is a party of, while it is open."""
    return claim.cases.filter(status=ArbitrationCase.Status.OPEN).first()
