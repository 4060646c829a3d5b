"""Writing the timeline and telling the partner: the last steps of every transition."""

from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from associations.models import AssociationRequest, Claim, Comment, StatusEvent


def _event(
    *,
    request: AssociationRequest,
    action: str,
    actor,
    now,
    claim: Claim | None = None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    payload: dict | None = None,
) -> StatusEvent:
    return StatusEvent(
        request=request,
        claim=claim,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        payload=payload or {},
        created_at=now,
    )


def record_event(**fields) -> StatusEvent:
    event = _event(**fields)
    event.save()
    return event


def move_claim(
    claim: Claim, *, to: str, action: str, actor, now, reason: str = "", due_at=None, **payload
):
    """Change a locked claim's status and record it; callers hold the row lock."""
    move_claims(
        [(claim, {"to": to, "action": action, "reason": reason, "due_at": due_at, **payload})],
        actor=actor,
        now=now,
    )


def move_claims(moves: list[tuple[Claim, dict]], *, actor, now) -> None:
    """Move several locked claims at once: one UPDATE per outcome, one INSERT of their events.

    Each move is `to`, `action`, optionally `reason` and `due_at`, and the rest the event's
    payload. A reason and a due date belong to the status they explain, so both are reset on
    every move.
    """
    events, outcomes = [], defaultdict(list)
    for claim, move in moves:
        move = dict(move)
        to, action = move.pop("to"), move.pop("action")
        reason, due_at = move.pop("reason", ""), move.pop("due_at", None)
        events.append(
            _event(
                request=claim.request,
                claim=claim,
                action=action,
                actor=actor,
                now=now,
                from_status=claim.status,
                to_status=to,
                reason=reason,
                payload=move,
            )
        )
        claim.status, claim.status_changed_at = to, now
        claim.reason, claim.reason_text, claim.due_at = reason, "", due_at
        outcomes[(to, reason, due_at)].append(claim.pk)
    for (to, reason, due_at), claim_ids in outcomes.items():
        Claim.objects.filter(pk__in=claim_ids).update(
            status=to, status_changed_at=now, reason=reason, reason_text="", due_at=due_at
        )
    StatusEvent.objects.bulk_create(events)


def author_language(request: AssociationRequest) -> str:
    """The language the request's author chose in the portal, else the site's default."""
    membership = getattr(request.author, "membership", None)
    return (membership.language if membership else "") or settings.LANGUAGE_CODE


def notify_partner(request: AssociationRequest, text: Callable[[], str]) -> Comment:
    """Write a status update into the comments and mail it to the request's author.

    `text` is called in the author's language, not the worker's or the reviewer's, so the
    comment and the mail read as the partner chose.
    """
    with translation.override(author_language(request)):
        body = text()
        subject = _("%(reference)s: %(claim_name)s") % {
            "reference": request.reference,
            "claim_name": request.claim_name,
        }
    comment = Comment.objects.create(request=request, kind=Comment.Kind.SYSTEM, body=body)
    author_email = request.author.email
    if author_email:
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [author_email])
        )
    return comment
