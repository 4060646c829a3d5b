"""Writing the timeline and telling the partner: the last steps of every transition."""

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext as _

from associations.choices import Event
from associations.models import AssociationRequest, Claim, Comment, StatusEvent
from associations.signals import reviewer_commented, timeline_written
from core.mail import mail_after_commit


def unsaved_event(
    *,
    request: AssociationRequest,
    action: Event,
    actor,
    now,
    claim: Claim | None = None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    payload: dict | None = None,
    due_at: datetime | None = None,
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
        due_at=due_at,
    )


def record_event(**fields) -> StatusEvent:
    """`unsaved_event(**fields)`, saved."""
    event = unsaved_event(**fields)
    event.save()
    timeline_written.send(sender=StatusEvent, events=[event])
    return event


class Move(NamedTuple):
    """One claim's change of status; `payload` goes into its timeline event, `reason_text` (a
    reviewer's note or a partner's explanation) onto the claim beside its reason."""

    to: str
    action: Event
    reason: str = ""
    due_at: datetime | None = None
    payload: dict | None = None
    reason_text: str = ""


def move_claim(
    claim: Claim,
    *,
    to: str,
    action: Event,
    actor,
    now,
    reason: str = "",
    reason_text: str = "",
    due_at=None,
    **payload,
):
    """Change a claim's status and record it. Callers hold the claim's row lock, so nobody moves
    it in between from the status they read."""
    move = Move(to, action, reason, due_at, payload, reason_text)
    move_claims([(claim, move)], actor=actor, now=now)


def move_claims(moves: list[tuple[Claim, Move]], *, actor, now) -> None:
    """Move several locked claims at once: one UPDATE per outcome, one INSERT of their events.

    A reason, its text and a due date belong to the status they explain, so all three are set
    anew on every move.
    """
    events, outcomes = [], defaultdict(list)
    for claim, move in moves:
        events.append(
            unsaved_event(
                request=claim.request,
                claim=claim,
                action=move.action,
                actor=actor,
                now=now,
                from_status=claim.status,
                to_status=move.to,
                reason=move.reason,
                payload=move.payload,
                due_at=claim.due_at,
            )
        )
        claim.status, claim.status_changed_at = move.to, now
        claim.reason, claim.reason_text, claim.due_at = move.reason, move.reason_text, move.due_at
        outcomes[(move.to, move.reason, move.reason_text, move.due_at)].append(claim.pk)
    for (to, reason, reason_text, due_at), claim_ids in outcomes.items():
        updated = Claim.objects.filter(pk__in=claim_ids).update(
            status=to,
            status_changed_at=now,
            reason=reason,
            reason_text=reason_text,
            due_at=due_at,
        )
        if updated != len(claim_ids):  # as save(update_fields=...) would: never move nothing
            raise DatabaseError(f"claims {claim_ids} to move, {updated} found")
    StatusEvent.objects.bulk_create(events)
    timeline_written.send(sender=StatusEvent, events=events)


def author_language(request: AssociationRequest) -> str:
    """The language the request's author chose in the portal, else the site's default."""
    membership = getattr(request.author, "membership", None)
    return (membership.language if membership else "") or settings.LANGUAGE_CODE


def reviewer_comment(*, claim: Claim, author, body: str) -> Comment:
    """A reviewer's comment to the partner about one claim, announced to the partner's systems."""
    comment = Comment.objects.create(
        request=claim.request, author=author, kind=Comment.Kind.REVIEWER, body=body
    )
    reviewer_commented.send(sender=Comment, comment=comment, claim=claim)
    return comment


def notify_partner(request: AssociationRequest, text: Callable[[], str]) -> Comment:
    """Write a status update into the comments and mail it to the request's author.

    `text` is called in the author's language, not the worker's or the reviewer's, so the
    comment and the mail read as the partner chose.
    """
    return notify_partners([(request, text)])[0]


def notify_partners(notices: list[tuple[AssociationRequest, Callable[[], str]]]) -> list[Comment]:
    """notify_partner for many requests at once (a re-check ends thousands of claims): one
    INSERT of all the comments, still one mail each."""
    comments, mails = [], []
    for request, text in notices:
        with translation.override(author_language(request)):
            body = text()
            subject = _("%(reference)s: %(claim_name)s") % {
                "reference": request.reference,
                "claim_name": request.claim_name,
            }
        comments.append(Comment(request=request, kind=Comment.Kind.SYSTEM, body=body))
        if request.author.email:
            mails.append((subject, body, request.author.email))
    Comment.objects.bulk_create(comments)
    for subject, body, recipient in mails:
        mail_after_commit(subject, body, recipient)
    return comments
