"""Running the checks on a submitted request and recording the verdict per claim.

Called by the django-q2 task (actor None). Idempotent: it acts only on claims still
`validating`, and each run replaces the request's previous check results, so running it twice
stores one result set. Claims that pass are weighed against other organisations' claims for the
same key under a PostgreSQL advisory lock per key, so two simultaneous verdicts cannot both miss
each other.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from associations.events import move_claim, notify_partner
from associations.models import (
    CONTESTING_STATUSES,
    AssociationRequest,
    CheckResult,
    Claim,
    ClaimStatus,
)
from associations.signals import claim_contested
from cpor_portal.deadlines import due
from validation.checks import ClaimInput, DatabaseDirectory, Directory, check_claim, check_request


def _same_key(claim: Claim):
    """Other requests' claims for the claim's key (a request never holds a key twice)."""
    return Claim.objects.filter(
        tenant_id=claim.tenant_id,
        product_id=claim.product_id,
        activity=claim.activity,
        subscription_id=claim.subscription_id,
    ).exclude(request_id=claim.request_id)


def _key_lock_id(claim: Claim) -> int:
    digest = hashlib.blake2b(repr(claim.key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock_key(claim: Claim) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_key_lock_id(claim)])


def own_duplicate(claim: Claim) -> Claim | None:
    """The organisation's own open or approved claim for the same key, if any."""
    settled = Q(status__in=CONTESTING_STATUSES)
    # Of two claims still being filed, the older one is the original and the newer the duplicate
    # (so two requests validated at once never fail as duplicates of each other).
    filing = [ClaimStatus.VALIDATING, ClaimStatus.ACTION_NEEDED]
    earlier = Q(status__in=filing) & (Q(pk__lt=claim.pk) if claim.pk else Q())
    return (
        _same_key(claim)
        .filter(settled | earlier, request__organisation_id=claim.request.organisation_id)
        .select_related("request")
        .order_by("pk")
        .first()
    )


def competitors(claim: Claim, organisation_id: int):
    """Other organisations' claims that hold or contest the key."""
    return (
        _same_key(claim)
        .filter(status__in=CONTESTING_STATUSES)
        .exclude(request__organisation_id=organisation_id)
    )


def run_checks(
    request: AssociationRequest, claims: list[Claim], directory: Directory
) -> tuple[list[str], list[list[str]]]:
    """The directory checks of a request and its claims (in their order), writing nothing.

    Works on unsaved objects too, which is how "Check now" previews a request.
    """
    request_failures = check_request(directory, tenant_id=request.tenant_id, domain=request.domain)
    claim_failures = [
        check_claim(
            directory,
            tenant_id=request.tenant_id,
            solution_area=request.solution_area,
            activity=request.activity,
            claim=ClaimInput(product=claim.product, subscription_id=claim.subscription_id),
        )
        for claim in claims
    ]
    return request_failures, claim_failures


def request_record_verdict(
    *, request_id: int, directory: Directory | None = None, now: datetime | None = None
) -> AssociationRequest | None:
    now = now or timezone.now()
    directory = directory or DatabaseDirectory()
    with transaction.atomic():
        request = (
            AssociationRequest.objects.select_for_update(of=("self",))
            .select_related("author", "organisation")
            .filter(pk=request_id)
            .first()
        )
        if request is None:
            return None
        claims = list(
            request.claims.select_for_update(of=("self",))
            .filter(status=ClaimStatus.VALIDATING)
            .select_related("product")
            .order_by("pk")
        )
        if not claims:
            return request  # the state has moved on; nothing to do
        request_failures, failures = run_checks(request, claims, directory)
        claim_failures = {claim.pk: codes for claim, codes in zip(claims, failures, strict=True)}
        CheckResult.objects.filter(request=request).filter(
            Q(claim__isnull=True) | Q(claim__in=claims)
        ).delete()
        for code in request_failures:
            CheckResult.objects.create(request=request, code=code, checked_at=now)
        outcomes = []
        # Key locks are taken in one global order, so two verdicts never wait on each other.
        for claim in sorted(claims, key=_key_lock_id):
            claim.request = request
            outcomes.append(_record_claim(request, claim, request_failures, claim_failures, now))
        notify_partner(request, lambda: _verdict_message(request, outcomes))
    return request


def _record_claim(request, claim, request_failures, claim_failures, now) -> tuple[Claim, str]:
    failures = list(claim_failures[claim.pk])
    duplicate = own_duplicate(claim)
    if duplicate is not None:
        failures.append("subscription_already_claimed")
    for code in failures:
        CheckResult.objects.create(
            request=request,
            claim=claim,
            code=code,
            checked_at=now,
            related_request=duplicate.request if code == "subscription_already_claimed" else None,
        )
    if request_failures or failures:
        move_claim(
            claim,
            to=ClaimStatus.ACTION_NEEDED,
            action="claim.checks_failed",
            actor=None,
            now=now,
            checks=request_failures + failures,
        )
        return claim, ClaimStatus.ACTION_NEEDED
    _lock_key(claim)
    rivals = list(
        competitors(claim, request.organisation_id).select_for_update(of=("self",)).order_by("pk")
    )
    if rivals:
        move_claim(
            claim,
            to=ClaimStatus.IN_ARBITRATION,
            action="claim.contested",
            actor=None,
            now=now,
            competing_claims=[rival.pk for rival in rivals],
        )
        claim_contested.send(sender=Claim, claim=claim, competitors=rivals, now=now)
        return claim, ClaimStatus.IN_ARBITRATION
    move_claim(
        claim,
        to=ClaimStatus.UNDER_REVIEW,
        action="claim.checks_passed",
        actor=None,
        now=now,
        due_at=due("review_business_days", now),
    )
    return claim, ClaimStatus.UNDER_REVIEW


def _verdict_message(request, outcomes) -> str:
    lines = [
        _("The automated checks of %(reference)s have finished.") % {"reference": request.reference}
    ]
    for claim, status in outcomes:
        lines.append(f"- {claim.product.name}: {ClaimStatus(status).label}")
    if any(status == ClaimStatus.ACTION_NEEDED for _claim, status in outcomes):
        lines.append(_("Open the request to see what to fix, then resubmit it."))
    if any(status == ClaimStatus.IN_ARBITRATION for _claim, status in outcomes):
        lines.append(
            _(
                "Another partner holds or claims the same customer and product, so the claim "
                "goes to arbitration: a reviewer compares each partner's proof of execution."
            )
        )
    return "\n".join(lines)


def claims_recheck_provisioning(
    *, request_id: int, directory: Directory | None = None, now: datetime | None = None
) -> int:
    """Move on the claims whose only failure was a subscription not yet provisioned, once it is.

    The claims go back to `validating` and the usual verdict follows (competitors included);
    claims still waiting stay as they are, with no new event or mail.
    """
    now = now or timezone.now()
    directory = directory or DatabaseDirectory()
    with transaction.atomic():
        request = (
            AssociationRequest.objects.select_for_update(of=("self",)).filter(pk=request_id).first()
        )
        if request is None or request.check_results.filter(claim__isnull=True).exists():
            return 0
        waiting = [
            claim
            for claim in request.claims.select_for_update(of=("self",))
            .filter(status=ClaimStatus.ACTION_NEEDED)
            .select_related("product")
            .order_by("pk")
            if set(claim.check_results.values_list("code", flat=True))
            == {"subscription_not_provisioned"}
        ]
        _request_failures, failures = run_checks(request, waiting, directory)
        ready = [claim for claim, codes in zip(waiting, failures, strict=True) if not codes]
        for claim in ready:
            claim.request = request
            move_claim(
                claim,
                to=ClaimStatus.VALIDATING,
                action="claim.provisioning_rechecked",
                actor=None,
                now=now,
            )
        if ready:
            transaction.on_commit(
                lambda: async_task("associations.tasks.validate_request", request_id)
            )
    return len(ready)


@dataclass(frozen=True)
class ClaimPreview:
    claim: Claim
    failures: list[str]
    duplicate: Claim | None
    contested: bool  # another organisation holds or claims the key (never who)


def request_preview(
    *, request: AssociationRequest, claims: list[Claim], directory: Directory | None = None
) -> tuple[list[str], list[ClaimPreview]]:
    """ "Check now": the verdict the worker would reach, computed from unsaved objects."""
    request_failures, failures = run_checks(request, claims, directory or DatabaseDirectory())
    previews = []
    for claim, codes in zip(claims, failures, strict=True):
        duplicate = own_duplicate(claim)
        codes = codes + (["subscription_already_claimed"] if duplicate else [])
        # Competition is told only for a claim that passes, as the worker would find it, so
        # "Check now" cannot probe other partners' claims for a customer one cannot name.
        passes = not request_failures and not codes
        contested = passes and competitors(claim, request.organisation_id).exists()
        previews.append(ClaimPreview(claim, codes, duplicate, contested))
    return request_failures, previews
