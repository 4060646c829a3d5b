"""Reads for the reviewers' pages."""

from django.db.models import Prefetch, QuerySet

from associations.models import CheckResult, Claim, Comment, Proof
from associations.policy import REVIEW_QUEUE_STATUSES
from associations.verdict import warnings
from disputes.models import ArbitrationCase
from validation.checks import DatabaseDirectory
from validation.errors import WARNINGS


def claims_for_review(claim_ids) -> list[Claim]:
    """Everything a reviewer weighs, per claim: proof newest first, checks, comments, and the
    warnings the partner sees (a contact outside the customer's domains is where the decline
    link goes)."""
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
    directory = DatabaseDirectory()  # shared by the claims: a case's parties share a tenant
    for claim in result:
        request_codes, claim_codes = warnings(claim.request, [claim], directory)
        claim.review_warnings = [WARNINGS[code] for code in request_codes + claim_codes[id(claim)]]
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
