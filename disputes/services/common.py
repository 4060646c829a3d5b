"""What several review processes do alike: lock a claim, approve it, tell a rejection."""

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from associations.choices import ClaimStatus, Event
from associations.events import author_language, move_claim, notify_partner
from associations.keys import lock_keys
from associations.models import Claim
from associations.policy import dispute_until
from core.mail import mail_after_commit
from disputes.consent import consent_url
from disputes.errors import ReviewError
from disputes.models import Dispute, InformationRequest

APPROVED_CONSTRAINT = "one_approved_claim_per_key"


def lock_claim(claim: Claim) -> Claim:
    """The claim's key first, then its row: the order verdicts use too (no deadlock)."""
    lock_keys([claim.key])
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("request__author", "product", "assignee")
        .get(pk=claim.pk)
    )


def username(user) -> str | None:
    return user.get_username() if user is not None else None


def decision_names(*, holder, actor, proposed_by=None) -> dict:
    """A decision event's payload: who held the work and who decided (and, under four eyes,
    who proposed), by name, so the record reads the same after an account is gone."""
    names = {"assignee": username(holder), "decided_by": username(actor)}
    if proposed_by is not None:
        names["proposed_by"] = username(proposed_by)
    return names


def date_text(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def approve(claim: Claim, *, actor, action: Event, now: datetime, **payload) -> None:
    """Make the claim the partner of record; the database refuses a second owner per key."""
    try:
        with transaction.atomic():
            move_claim(
                claim, to=ClaimStatus.APPROVED, action=action, actor=actor, now=now, **payload
            )
    except IntegrityError as error:
        if APPROVED_CONSTRAINT in str(error):
            raise ReviewError("key_taken") from None
        raise
    _mail_customer(claim)  # first: the partner's mail can never hold the decline link back
    notify_partner(claim.request, lambda: _approved_text(claim))


def _approved_text(claim: Claim) -> str:
    if claim.subscription_id:
        return _(
            "%(product)s (subscription %(id)s) is approved: you are the partner of record."
        ) % {"product": claim.product.name, "id": claim.subscription_id}
    return _("%(product)s is approved: you are the partner of record.") % {
        "product": claim.product.name
    }


def _mail_customer(claim: Claim) -> None:
    """The customer's contact is written to in the language of the partner who filed."""
    request = claim.request
    url = consent_url(claim.pk)
    with translation.override(author_language(request)):
        body, subject = _customer_mail(claim, url)
    mail_after_commit(subject, body, request.customer_contact_email)


def _customer_mail(claim: Claim, url: str) -> tuple[str, str]:
    request = claim.request
    body = _(
        "%(partner)s is now recorded as the partner who helped you with %(product)s.\n\n"
        "If this is not right, you can see the details and decline the association here "
        "(no account needed; the link works for %(days)s days):\n%(url)s"
    ) % {
        "partner": request.organisation.name,
        "product": claim.product.name,
        "days": settings.CPOR_CONSENT_LINK_DAYS,
        "url": url,
    }
    subject = _("Your partner of record for %(product)s") % {"product": claim.product.name}
    return body, subject


def tell_rejection(claim: Claim) -> None:
    """The partner reads the reason, the reviewer's note and the last day to dispute."""

    def text() -> str:
        parts = [
            _("%(product)s is rejected: %(reason)s.")
            % {"product": claim.product.name, "reason": claim.get_reason_display()},
            claim.reason_text,
            _("You can dispute this rejection once, with new proof, until %(date)s.")
            % {"date": date_text(dispute_until(claim))},
        ]
        return " ".join(part for part in parts if part)

    notify_partner(claim.request, text)


def close_dispute(claim: Claim, *, actor, upheld: bool, rationale: str, now: datetime) -> None:
    """A dispute of a claim that meets a case is answered by the case's decision."""
    Dispute.objects.filter(claim=claim, answered_at__isnull=True).update(
        answered_at=now, answered_by=actor, upheld=upheld, rationale=rationale
    )


def close_questions(claim: Claim, *, now: datetime) -> None:
    InformationRequest.objects.filter(claim=claim, answered_at__isnull=True).update(answered_at=now)
