"""Every write of the request flow: one function per transition (see CONVENTIONS.md rule 1)."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.models import Schedule
from django_q.tasks import async_task, schedule

from associations import policy
from associations.choices import ClaimStatus, Event, Reason
from associations.errors import TransitionError
from associations.events import (
    Move,
    move_claim,
    move_claims,
    notify_partner,
    notify_partners,
    record_event,
)
from associations.keys import claim_key, lock_keys
from associations.models import (
    REQUEST_COPIES,
    AssociationRequest,
    Claim,
    Comment,
    Proof,
    ProofDocument,
)
from associations.policy import Action
from associations.uploads import Upload
from partners.models import Organisation
from validation.models import Product

logger = logging.getLogger(__name__)

# Fields of the request that define the claim keys; frozen once a claim is past its checks.
CUSTOMER_FIELDS = ("tenant_id", "domain", "solution_area", "activity", "mpn")
# When the broker refuses a request's checks, they are scheduled again this much later.
ENQUEUE_RETRY = timedelta(seconds=30)


@dataclass(frozen=True)
class ClaimRow:
    product: Product | None  # None: remove this claim
    subscription_id: str | None
    claim: Claim | None = None  # the existing claim this row edits


def enqueue_validation(request_id: int) -> None:
    enqueue_after_commit(
        "associations.tasks.validate_request",
        request_id,
        group="validation",
        label=f"the checks of request {request_id}",
    )


def enqueue_after_commit(func: str, *args, group: str, label: str) -> None:
    """Queue a task once the transaction commits (Redis ignores the transaction)."""
    transaction.on_commit(lambda: _enqueue(func, args, group=group, label=label), robust=True)


def _enqueue(func: str, args: tuple, *, group: str, label: str) -> None:
    """The row is saved whatever the broker does after commit. If it cannot take the task, a
    one-off schedule, a database row the cluster reads, runs it within a minute of its return:
    well before any sweep of stale rows would."""
    try:
        async_task(func, *args, group=group)
    except Exception:  # any broker's failure to take a task: Redis down, a refused connection
        logger.warning("The broker refused %s; scheduled again", label, exc_info=True)
        schedule(func, *args, schedule_type=Schedule.ONCE, next_run=timezone.now() + ENQUEUE_RETRY)


def _lock_claims(request: AssociationRequest) -> list[Claim]:
    return list(
        request.claims.select_for_update(of=("self",)).select_related("product").order_by("pk")
    )


def save_documents(proof: Proof, uploads: list[Upload]) -> None:
    """Each document with the proof template mark it carries, for the reviewers."""
    for upload in uploads:
        ProofDocument.objects.create(
            proof=proof,
            file=upload.file,
            original_name=upload.file.name[:255],
            content_type=upload.content_type,
            size=upload.file.size,
            template_mark=upload.template_mark,
        )


def request_create(
    *,
    actor,
    organisation: Organisation,
    fields: dict,
    rows: list[ClaimRow],
    uploads: list[Upload],
    submit: bool,
    now: datetime | None = None,
) -> AssociationRequest:
    now = now or timezone.now()
    rows = [row for row in rows if row.product is not None]
    if not rows:
        raise TransitionError("no_claims")
    with transaction.atomic():
        request = AssociationRequest.objects.create(
            organisation=organisation, author=actor, **fields
        )
        proof = Proof.objects.create(
            request=request, description=request.proof_description, author=actor
        )
        save_documents(proof, uploads)
        for row in rows:
            _new_claim(request, row)
        record_event(request=request, action=Event.REQUEST_CREATED, actor=actor, now=now)
        if submit:
            _submit(request, request.claims.all(), actor=actor, now=now)
    return request


def _copies(request: AssociationRequest) -> dict:
    return {name: getattr(request, name) for name in REQUEST_COPIES}


def _new_claim(request: AssociationRequest, row: ClaimRow) -> Claim:
    return Claim.objects.create(
        request=request,
        product=row.product,
        subscription_id=row.subscription_id if request.per_subscription else None,
        filed_at=request.created_at,
        **_copies(request),
    )


def _submit(request: AssociationRequest, claims, *, actor, now) -> None:
    for claim in claims:
        if policy.refusal(claim, Action.EDIT, now=now) is None:
            move_claim(
                claim, to=ClaimStatus.VALIDATING, action=Event.CLAIM_SUBMITTED, actor=actor, now=now
            )
    if request.submitted_at is None:
        request.submitted_at = now
        request.save(update_fields=["submitted_at"])
    enqueue_validation(request.pk)


def request_update(
    *,
    actor,
    request: AssociationRequest,
    fields: dict,
    rows: list[ClaimRow],
    uploads: list[Upload],
    submit: bool,
    now: datetime | None = None,
) -> AssociationRequest:
    """Save a draft, or fix a request whose checks failed; `submit` runs the checks again."""
    now = now or timezone.now()
    with transaction.atomic():
        request = AssociationRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
        claims = _lock_claims(request)
        editable = [c for c in claims if policy.refusal(c, Action.EDIT, now=now) is None]
        if not editable:
            raise policy.ActionRefused("not_editable")
        locked = [claim for claim in claims if policy.locks_customer(claim.status)]
        changed = [name for name, value in fields.items() if getattr(request, name) != value]
        if locked and set(changed) & set(CUSTOMER_FIELDS):
            raise TransitionError("customer_locked")
        for name in changed:
            setattr(request, name, fields[name])
        if changed:
            request.save(update_fields=changed)
            # Every claim of the request, withdrawn ones included, keeps its copies in step.
            request.claims.update(**_copies(request))
        kept = _apply_rows(request, rows, editable, actor=actor, now=now)
        if not kept and not locked:
            raise TransitionError("no_claims")
        if uploads or "proof_description" in changed:
            # Proof is append-only: reviewers weigh the newest and can see what came before.
            proof = Proof.objects.create(
                request=request, description=request.proof_description, author=actor
            )
            save_documents(proof, uploads)
        record_event(
            request=request,
            action=Event.REQUEST_UPDATED,
            actor=actor,
            now=now,
            payload={"fields": changed},
        )
        if submit:
            _submit(request, kept, actor=actor, now=now)
    return request


def _apply_rows(request, rows: list[ClaimRow], editable: list[Claim], *, actor, now) -> list[Claim]:
    """Edit, add and remove the editable claims; returns those that remain."""
    editable_by_pk = {claim.pk: claim for claim in editable}
    kept = []
    for row in rows:
        claim = editable_by_pk.pop(row.claim.pk, None) if row.claim else None
        if row.product is None:
            if claim is not None:
                _remove_claim(claim, actor=actor, now=now)
            continue
        if claim is None:
            kept.append(_new_claim(request, row))
            continue
        claim.product = row.product
        claim.subscription_id = row.subscription_id if request.per_subscription else None
        _refresh_copies(claim, request, "product", "subscription_id")
        kept.append(claim)
    for claim in editable_by_pk.values():
        _refresh_copies(claim, request)
        kept.append(claim)
    return kept


def _refresh_copies(claim: Claim, request: AssociationRequest, *changed: str) -> None:
    for name, value in _copies(request).items():
        setattr(claim, name, value)
    claim.save(update_fields=[*changed, *REQUEST_COPIES])


def _remove_claim(claim: Claim, *, actor, now) -> None:
    if claim.status == ClaimStatus.DRAFT:
        claim.delete()
    else:
        move_claim(
            claim,
            to=ClaimStatus.WITHDRAWN,
            action=Event.CLAIM_WITHDRAWN,
            actor=actor,
            now=now,
            reason=Reason.PARTNER_REQUEST,
        )


def request_withdraw(
    *, actor, request: AssociationRequest, now: datetime | None = None
) -> AssociationRequest:
    """Withdraw every claim of the request that has no decision yet; claims under review leave
    their keys, so the keys are locked first (a key's claims never change under its lock)."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_keys(claim.key for claim in request.claims.all())
        claims = [
            c for c in _lock_claims(request) if policy.refusal(c, Action.WITHDRAW, now=now) is None
        ]
        if not claims:
            raise policy.ActionRefused("not_withdrawable")
        for claim in claims:
            move_claim(
                claim,
                to=ClaimStatus.WITHDRAWN,
                action=Event.CLAIM_WITHDRAWN,
                actor=actor,
                now=now,
                reason=Reason.PARTNER_REQUEST,
            )
        notify_partner(
            request,
            lambda: (
                _("%(name)s withdrew %(products)s.")
                % {
                    "name": actor.get_full_name() or actor.get_username(),
                    "products": ", ".join(claim.product.name for claim in claims),
                }
            ),
        )
    return request


def request_delete_draft(
    *, actor, request: AssociationRequest, now: datetime | None = None
) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        for claim in _lock_claims(request):
            policy.require(claim, Action.DELETE, now=now)
        files = [document.file for document in ProofDocument.objects.filter(proof__request=request)]
        request.delete()
        # Stored files go only once the rows are gone for good.
        transaction.on_commit(lambda: [file.delete(save=False) for file in files])


def comment_add(*, actor, request: AssociationRequest, body: str) -> Comment:
    policy.require_comment(request.claims.values_list("status", flat=True))
    return Comment.objects.create(
        request=request, author=actor, kind=Comment.Kind.PARTNER, body=body
    )


def proof_add(
    *,
    actor,
    request: AssociationRequest,
    claim: Claim,
    description: str,
    uploads: list[Upload],
    now: datetime | None = None,
) -> Proof:
    """Newer proof for one claim; reviewers always weigh the most recent."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = Claim.objects.select_for_update(of=("self",)).get(pk=claim.pk, request=request)
        policy.require(claim, Action.ADD_PROOF, now=now)
        proof = Proof.objects.create(
            request=request, claim=claim, description=description, author=actor
        )
        save_documents(proof, uploads)
        record_event(
            request=request, claim=claim, action=Event.CLAIM_PROOF_ADDED, actor=actor, now=now
        )
    return proof


def claim_disassociate(
    *, actor, claim: Claim, reason_text: str, now: datetime | None = None
) -> Claim:
    """The partner ends its own approved association, saying why; the key is free again."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_keys([claim.key])
        claim = (
            Claim.objects.select_for_update(of=("self",)).select_related("product").get(pk=claim.pk)
        )
        policy.require(claim, Action.DISASSOCIATE, now=now)
        move_claim(
            claim,
            to=ClaimStatus.ENDED,
            action=Event.CLAIM_DISASSOCIATED,
            actor=actor,
            now=now,
            reason=Reason.PARTNER_REQUEST,
            reason_text=reason_text,
            text=reason_text,
        )
    return claim


def claims_end_with_subscription(*, claim_ids: list[int], now: datetime | None = None) -> int:
    """End approved claims whose subscription (or workload) is no longer active or in grace:
    their keys are free again, and each partner is told and offered a new request for the new
    subscription. In one transaction: one statement locks their keys, one UPDATE moves them
    and one INSERT records their events; each partner still gets one notice and one e-mail per
    claim. Claims that have moved on or are being changed elsewhere are skipped; returns how
    many ended."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_keys(
            claim_key(*row)
            for row in Claim.objects.filter(pk__in=claim_ids).values_list(
                "tenant_id", "product_id", "activity", "subscription_id"
            )
        )
        claims = list(
            Claim.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("product", "request__author__membership")
            .filter(pk__in=claim_ids, status=ClaimStatus.APPROVED)
            .order_by("pk")
        )
        move = Move(ClaimStatus.ENDED, Event.CLAIM_SUBSCRIPTION_ENDED, Reason.SUBSCRIPTION_ENDED)
        move_claims([(claim, move) for claim in claims], actor=None, now=now)
        notify_partners(
            [
                (
                    claim.request,
                    lambda claim=claim: (
                        _(
                            "The customer's subscription for %(product)s is no longer active, "
                            "so the association has ended. If the customer has a new "
                            "subscription, claim it with “Claim the new subscription” on the "
                            "request page."
                        )
                        % {"product": claim.product.name}
                    ),
                )
                for claim in claims
            ]
        )
    return len(claims)
