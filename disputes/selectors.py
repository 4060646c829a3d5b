"""Reads for the reviewers' pages."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from associations.models import CheckResult, Claim, Comment, Proof
from associations.policy import REVIEW_QUEUE_STATUSES
from associations.verdict import warnings
from core.deadlines import add_business_days
from disputes.models import ArbitrationCase, Proposal
from disputes.roles import REVIEWERS_GROUP
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


def reviewers() -> QuerySet:
    """The people review work can be assigned to: active staff of the Reviewers group."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name=REVIEWERS_GROUP)
        .order_by("username")
    )


def review_queue() -> QuerySet:
    return Claim.objects.filter(status__in=REVIEW_QUEUE_STATUSES)


def open_case(claim: Claim) -> ArbitrationCase | None:
    """The arbitration case the claim is a party of, while it is open."""
    return claim.cases.filter(status=ArbitrationCase.Status.OPEN).first()


def open_proposal(*, claim: Claim | None = None, case: ArbitrationCase | None = None):
    """The decision proposed on a case, or on a claim (its dispute's, or its open case's),
    waiting for a second reviewer; None when there is none."""
    proposals = Proposal.objects.filter(status=Proposal.Status.OPEN).select_related(
        "proposed_by", "winner__request"
    )
    if case is not None:
        return proposals.filter(case=case).first()
    return proposals.filter(
        Q(dispute__claim=claim) | Q(case__claims=claim, case__status=ArbitrationCase.Status.OPEN)
    ).first()


# The reviewers' queues beside the plain lists, by their URL name (`?queue=mine`).
QUEUES = {
    "mine": _("My work"),
    "unassigned": _("Unassigned"),
    "overdue": _("Overdue"),
    "due_soon": _("Due in the next 2 business days"),
}
SOON_BUSINESS_DAYS = 2
# A queue's count on the admin index stops here: a capped count reads at most this many rows.
COUNT_CAP = 1000


def queue_condition(queue: str, *, user, now: datetime) -> Q:
    """What a queue holds of the claims (or cases) waiting for a reviewer."""
    if queue == "mine":
        return Q(assignee=user)
    if queue == "unassigned":
        return Q(assignee__isnull=True)
    if queue == "overdue":
        return Q(due_at__lt=now)
    return Q(due_at__gte=now, due_at__lt=add_business_days(now, SOON_BUSINESS_DAYS))


@dataclass(frozen=True)
class Capped:
    """A count that stops at COUNT_CAP (shown as "1000+")."""

    count: int

    @property
    def capped(self) -> bool:
        return self.count >= COUNT_CAP


@dataclass(frozen=True)
class QueueCounts:
    queue: str
    label: str
    claims: Capped
    cases: Capped


def _capped(queryset) -> Capped:
    return Capped(queryset.values("pk")[:COUNT_CAP].count())


def queue_counts(*, user, now: datetime) -> list[QueueCounts]:
    """Each queue's capped count of the claims and of the open cases: one query each."""
    cases = ArbitrationCase.objects.filter(status=ArbitrationCase.Status.OPEN)
    rows = []
    for queue, label in QUEUES.items():
        condition = queue_condition(queue, user=user, now=now)
        rows.append(
            QueueCounts(
                queue,
                label,
                _capped(review_queue().filter(condition)),
                _capped(cases.filter(condition)),
            )
        )
    return rows


def open_proposals_count() -> Capped:
    """The decisions waiting for a second reviewer, for the admin index."""
    return _capped(Proposal.objects.filter(status=Proposal.Status.OPEN))
