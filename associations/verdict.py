"""Running the checks on a submitted request and recording the verdict per claim.

Called by the django-q2 task (actor None). Idempotent: it acts only on claims still
`validating`, and each run replaces the request's previous check results, so running it twice
stores one result set. Claims that pass are weighed against other organisations' claims for the
same key under a PostgreSQL advisory lock per key, so two simultaneous verdicts cannot both miss
each other.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.choices import ClaimStatus, Event
from associations.events import Move, move_claim, move_claims, notify_partner
from associations.keys import key_lookup, lock_keys
from associations.models import AssociationRequest, CheckResult, Claim
from associations.policy import CONTESTING_STATUSES, FILING_STATUSES
from associations.services import enqueue_validation
from associations.signals import claim_contested
from core.deadlines import due
from validation.checks import (
    ClaimInput,
    DatabaseDirectory,
    Directory,
    Outcomes,
    claim_warnings,
    evaluate_claim,
    evaluate_request,
    failures,
    request_warnings,
)


def key_claims(
    request_id: int | None, claims: list[Claim], *, lock: bool = False
) -> list[tuple[Claim | None, list[Claim]]]:
    """For each claim of a request, in one query: the organisation's own open or approved claim
    for its key (a duplicate), and other organisations' claims that hold or contest it
    (competitors, never named)."""
    if not claims:
        return []
    same_keys = reduce(or_, (Q(**key_lookup(claim.key)) for claim in claims))
    others = defaultdict(list)
    for other in (
        Claim.objects.filter(same_keys, status__in=CONTESTING_STATUSES | FILING_STATUSES)
        .exclude(request_id=request_id)
        .order_by("pk")
    ):
        others[other.key].append(other)
    found = []
    for claim in claims:
        duplicate, rivals = None, []
        for other in others[claim.key]:
            # Of two claims still being filed, the older one is the original and the newer the
            # duplicate (so two requests validated at once never fail as duplicates of each
            # other).
            if other.status in FILING_STATUSES and claim.pk is not None and other.pk > claim.pk:
                continue
            if other.organisation_id == claim.organisation_id:
                duplicate = duplicate or other
            elif other.status in CONTESTING_STATUSES:
                rivals.append(other)
        found.append((duplicate, rivals))
    rival_ids = [rival.pk for _duplicate, rivals in found for rival in rivals]
    if lock and rival_ids:
        # Only the competitors are locked (and re-read): a claim still validating may be held by
        # its own verdict, which waits for this key's advisory lock.
        locked = Claim.objects.select_for_update(of=("self",)).filter(
            pk__in=rival_ids, status__in=CONTESTING_STATUSES
        )
        locked = {rival.pk: rival for rival in locked.order_by("pk")}
        found = [
            (duplicate, [locked[rival.pk] for rival in rivals if rival.pk in locked])
            for duplicate, rivals in found
        ]
    return found


def run_checks(
    request: AssociationRequest, claims: list[Claim], directory: Directory
) -> tuple[Outcomes, list[Outcomes]]:
    """The directory checks of a request and its claims (in their order), writing nothing.

    Works on unsaved objects too, which is how "Check now" previews a request.
    """
    request_outcomes = evaluate_request(
        directory, tenant_id=request.tenant_id, domain=request.domain
    )
    claim_outcomes = [
        evaluate_claim(
            directory,
            tenant_id=request.tenant_id,
            solution_area=request.solution_area,
            activity=request.activity,
            claim=ClaimInput(product=claim.product, subscription_id=claim.subscription_id),
        )
        for claim in claims
    ]
    return request_outcomes, claim_outcomes


def request_record_verdict(
    *, request_id: int, directory: Directory | None = None, now: datetime | None = None
) -> AssociationRequest | None:
    now = now or timezone.now()
    directory = directory or DatabaseDirectory()
    with transaction.atomic():
        # FOR NO KEY UPDATE: another verdict that finds this request the original of its
        # duplicate must still be able to insert a check result referring to it (a foreign
        # key's share lock), or the two would deadlock over this row and a key lock.
        request = (
            AssociationRequest.objects.select_for_update(of=("self",), no_key=True)
            .select_related("author__membership", "organisation")
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
        request_outcomes, claim_outcomes = run_checks(request, claims, directory)
        CheckResult.objects.filter(request=request).filter(
            Q(claim__isnull=True) | Q(claim__in=claims)
        ).delete()
        results = _results(request, None, request_outcomes, now)
        request_failures = failures(request_outcomes)
        lock_keys(claim.key for claim in claims)  # before reading them: concurrent verdicts queue
        moves, contested = [], []
        found = key_claims(request.pk, claims, lock=True)
        for claim, checked, (duplicate, rivals) in zip(claims, claim_outcomes, found, strict=True):
            claim.request = request
            outcomes = {**checked, "subscription_already_claimed": duplicate is None}
            results += _results(request, claim, outcomes, now, duplicate and duplicate.request_id)
            move = _move(request_failures + failures(outcomes), rivals, now)
            moves.append((claim, move))
            if move.to == ClaimStatus.IN_ARBITRATION:
                contested.append((claim, rivals))
        move_claims(moves, actor=None, now=now)
        for claim, rivals in contested:
            claim_contested.send(sender=Claim, claim=claim, competitors=rivals, now=now)
        CheckResult.objects.bulk_create(results)
        notify_partner(request, lambda: _verdict_message(request, claims))
    return request


def _results(request, claim, outcomes: Outcomes, now, related_request_id=None) -> list:
    """One result per check that ran, passed or failed (saved together, once per verdict)."""
    return [
        CheckResult(
            request=request,
            claim=claim,
            code=code,
            passed=passed,
            checked_at=now,
            related_request_id=(
                related_request_id
                if code == "subscription_already_claimed" and not passed
                else None
            ),
        )
        for code, passed in outcomes.items()
    ]


def _move(failed: list[str], rivals: list[Claim], now) -> Move:
    """Where a checked claim goes: back to the partner, to arbitration, or to a reviewer."""
    if failed:
        return Move(
            ClaimStatus.ACTION_NEEDED, Event.CLAIM_CHECKS_FAILED, payload={"checks": failed}
        )
    if rivals:
        return Move(
            ClaimStatus.IN_ARBITRATION,
            Event.CLAIM_CONTESTED,
            payload={"competing_claims": [rival.pk for rival in rivals]},
        )
    return Move(
        ClaimStatus.UNDER_REVIEW, Event.CLAIM_CHECKS_PASSED, due_at=due("review_business_days", now)
    )


def _verdict_message(request, claims: list[Claim]) -> str:
    lines = [
        _("The automated checks of %(reference)s have finished.") % {"reference": request.reference}
    ]
    statuses = {claim.status for claim in claims}
    for claim in claims:
        lines.append(f"- {claim.product.name}: {ClaimStatus(claim.status).label}")
    if ClaimStatus.ACTION_NEEDED in statuses:
        lines.append(_("Open the request to see what to fix, then resubmit it."))
    if ClaimStatus.IN_ARBITRATION in statuses:
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
        if request is None or request.check_results.failed().filter(claim__isnull=True).exists():
            return 0
        waiting = [
            claim
            for claim in request.claims.select_for_update(of=("self",))
            .filter(status=ClaimStatus.ACTION_NEEDED)
            .select_related("product")
            .order_by("pk")
            if set(claim.check_results.failed().values_list("code", flat=True))
            == {"subscription_not_provisioned"}
        ]
        _request_outcomes, outcomes = run_checks(request, waiting, directory)
        ready = [c for c, result in zip(waiting, outcomes, strict=True) if not failures(result)]
        for claim in ready:
            claim.request = request
            move_claim(
                claim,
                to=ClaimStatus.VALIDATING,
                action=Event.CLAIM_PROVISIONING_RECHECKED,
                actor=None,
                now=now,
            )
        if ready:
            enqueue_validation(request_id)
    return len(ready)


# What "Check now" needs of a request: the customer, the solution area and the activity.
CHECK_FIELDS = ("tenant_id", "domain", "solution_area", "activity")


def unsaved_request(
    *, organisation, fields: dict, rows, pk: int | None = None
) -> tuple[AssociationRequest, list[Claim]]:
    """A request and its claims as typed (cleaned form values, `ClaimRow`s), unsaved: what a
    preview checks, for the form's "Check now" and for each request of a bulk upload."""
    draft = AssociationRequest(
        pk=pk,
        organisation=organisation,
        **{name: fields[name] for name in CHECK_FIELDS},
        customer_contact_email=fields.get("customer_contact_email", ""),
    )
    claims = [
        Claim(
            product=row.product,
            subscription_id=row.subscription_id,
            tenant_id=draft.tenant_id,
            activity=draft.activity,
            organisation=organisation,
            request=draft,
        )
        for row in rows
        if row.product is not None
    ]
    return draft, claims


@dataclass(frozen=True)
class ClaimPreview:
    claim: Claim
    failures: list[str]
    duplicate: Claim | None
    contested: bool  # another organisation holds or claims the key (never who)
    warnings: list[str]


def request_preview(
    *, request: AssociationRequest, claims: list[Claim], directory: Directory | None = None
) -> tuple[list[str], list[str], list[ClaimPreview]]:
    """ "Check now": the verdict the worker would reach, computed from unsaved objects: the
    request's failed checks, its warnings, and each claim's preview."""
    directory = directory or DatabaseDirectory()
    return _preview(request, claims, directory, key_claims(request.pk, claims))


def drafts_preview(
    drafts: list[tuple[AssociationRequest, list[Claim]]], directory: Directory
) -> list[tuple[list[str], list[str], list[ClaimPreview]]]:
    """`request_preview` of many unsaved requests (a chunk of a bulk upload): the claims that
    hold or contest their keys are read in one query for all of them."""
    found = iter(key_claims(None, [claim for _request, claims in drafts for claim in claims]))
    return [
        _preview(request, claims, directory, [next(found) for _claim in claims])
        for request, claims in drafts
    ]


def _preview(request, claims, directory, found):
    request_outcomes, outcomes = run_checks(request, claims, directory)
    request_failures = failures(request_outcomes)
    request_warned, warned = warnings(request, claims, directory)
    previews = []
    for claim, result, (duplicate, rivals) in zip(claims, outcomes, found, strict=True):
        codes = failures(result) + (["subscription_already_claimed"] if duplicate else [])
        # Competition is told only for a claim that passes, as the worker would find it, so
        # "Check now" cannot probe other partners' claims for a customer one cannot name.
        contested = not request_failures and not codes and bool(rivals)
        claim_warnings = [] if codes else warned[id(claim)]
        previews.append(ClaimPreview(claim, codes, duplicate, contested, claim_warnings))
    return request_failures, [] if request_failures else request_warned, previews


def warnings(
    request: AssociationRequest,
    claims: list[Claim],
    directory: Directory | None = None,
    *,
    tenant_known: bool | None = None,
) -> tuple[list[str], dict[int, list[str]]]:
    """What passes but is worth telling, read from the directory as it is now (a subscription
    falls into grace after its claim was approved): the request's warnings, and each claim's
    by `id()` (unsaved claims of "Check now" have no pk). Nothing for an unknown tenant; a page
    that holds the request's check results says whether it is known (`tenant_known`), else the
    directory is asked."""
    directory = directory or DatabaseDirectory()
    if tenant_known is None:
        tenant_known = directory.tenant_exists(request.tenant_id)
    if not tenant_known:
        return [], {id(claim): [] for claim in claims}
    request_codes = []
    if request.customer_contact_email:
        request_codes = request_warnings(
            directory, tenant_id=request.tenant_id, contact_email=request.customer_contact_email
        )
    per_claim = {
        id(claim): claim_warnings(
            directory,
            tenant_id=request.tenant_id,
            solution_area=request.solution_area,
            claim=ClaimInput(product=claim.product, subscription_id=claim.subscription_id),
        )
        for claim in claims
    }
    return request_codes, per_claim
