"""Every write of review and arbitration: one function per transition, rows locked.

Reviewers act through the Django admin, partners through the portal, sweeps with actor=None;
all of them call these functions. Partners learn that competing claims exist, never whose.
"""

from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from associations.events import author_language, move_claim, notify_partner, record_event
from associations.models import Claim, ClaimStatus, Comment, Proof, Reason, key_lookup
from associations.services import Upload, save_documents
from associations.verdict import lock_keys
from cpor_portal.deadlines import due
from disputes.consent import consent_url
from disputes.errors import ReviewError
from disputes.models import ArbitrationCase, Dispute, InformationRequest

APPROVED_CONSTRAINT = "one_approved_claim_per_key"
# Claims of a case that take part in its decision (the others have left it).
CASE_PARTY_STATUSES = frozenset(
    {
        ClaimStatus.IN_ARBITRATION,
        ClaimStatus.INFO_REQUESTED,
        ClaimStatus.DISPUTED,
        ClaimStatus.APPROVED,
    }
)
QUESTIONABLE_STATUSES = frozenset(
    {ClaimStatus.UNDER_REVIEW, ClaimStatus.IN_ARBITRATION, ClaimStatus.DISPUTED}
)


def _lock(claim: Claim) -> Claim:
    """The claim's key first, then its row: the order verdicts use too (no deadlock)."""
    lock_keys([claim.key])
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("request__author", "product")
        .get(pk=claim.pk)
    )


def _require(claim: Claim, *statuses: str) -> None:
    if claim.status not in statuses:
        raise ReviewError("wrong_status")


def _date(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def _approve(claim: Claim, *, actor, action: str, now: datetime, **payload) -> None:
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
    notify_partner(claim.request, lambda: _approved_text(claim))
    _mail_customer(claim)


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
    recipient = request.customer_contact_email
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    )


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


# --- Competing claims -------------------------------------------------------------------------


def case_open_or_join(*, claim: Claim, competitors: list[Claim], now: datetime) -> ArbitrationCase:
    """Open the key's arbitration case, or add to the open one; competitors under review join.

    Runs inside the verdict's transaction, which holds the key's advisory lock and the rows.
    """
    key = key_lookup(claim.key)
    case = (
        ArbitrationCase.objects.select_for_update(of=("self",))
        .filter(status=ArbitrationCase.Status.OPEN, **key)
        .first()
    )
    if case is None:
        case = ArbitrationCase.objects.create(
            opened_at=now, due_at=due("review_business_days", now), **key
        )
    case.claims.add(claim, *competitors)
    claim.due_at = case.due_at
    claim.save(update_fields=["due_at"])
    record_event(
        request=claim.request,
        claim=claim,
        action="case.joined",
        actor=None,
        now=now,
        payload={"case": case.pk},
    )
    for rival in competitors:
        _join(case, rival, now=now)
    return case


def _join(case: ArbitrationCase, claim: Claim, *, now: datetime) -> None:
    if claim.status == ClaimStatus.UNDER_REVIEW:
        move_claim(
            claim,
            to=ClaimStatus.IN_ARBITRATION,
            action="claim.contested",
            actor=None,
            now=now,
            due_at=case.due_at,
            case=case.pk,
        )
        notify_partner(
            claim.request,
            lambda: (
                _(
                    "Another partner has claimed %(product)s for the same customer and "
                    "activity. Your claim goes to arbitration: a reviewer compares each "
                    "partner's most recent proof of execution. A decision is expected by "
                    "%(date)s."
                )
                % {"product": claim.product.name, "date": _date(case.due_at)}
            ),
        )
    elif claim.status == ClaimStatus.INFO_REQUESTED:
        InformationRequest.objects.filter(claim=claim, answered_at__isnull=True).update(
            return_status=ClaimStatus.IN_ARBITRATION
        )


def case_mark_working_with_owner(*, actor, case: ArbitrationCase, now: datetime | None = None):
    """The reviewer works with the current owner; challengers are told it takes longer."""
    now = now or timezone.now()
    with transaction.atomic():
        case = ArbitrationCase.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if case.status != ArbitrationCase.Status.OPEN:
            raise ReviewError("case_closed")
        if case.working_with_owner:
            return case
        case.working_with_owner = True
        case.save(update_fields=["working_with_owner"])
        for claim in case.claims.select_related("request__author", "product").order_by("pk"):
            if claim.status == ClaimStatus.APPROVED:
                continue
            record_event(
                request=claim.request,
                claim=claim,
                action="case.working_with_owner",
                actor=actor,
                now=now,
            )
            notify_partner(
                claim.request,
                lambda claim=claim: (
                    _(
                        "Your claim for %(product)s stays under review longer: the vendor is "
                        "working with the partner that currently holds this customer and product."
                    )
                    % {"product": claim.product.name}
                ),
            )
    return case


def case_decide(
    *, actor, case: ArbitrationCase, winner: Claim, rationale: str, now: datetime | None = None
) -> ArbitrationCase:
    """The winner becomes (or stays) the owner; challengers are rejected, a losing owner ends."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_keys([case.key])
        case = ArbitrationCase.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if case.status != ArbitrationCase.Status.OPEN:
            raise ReviewError("case_closed")
        claims = list(
            case.claims.select_for_update(of=("self",))
            .select_related("request__author", "request__organisation", "product")
            .order_by("pk")
        )
        if winner.pk not in {claim.pk for claim in claims}:
            raise ReviewError("not_in_case")
        winning = next(claim for claim in claims if claim.pk == winner.pk)
        if winning.status not in CASE_PARTY_STATUSES:
            raise ReviewError("wrong_status")  # withdrawn, ended or rejected: out of the case
        for claim in claims:
            if claim.pk == winner.pk or claim.status not in CASE_PARTY_STATUSES:
                continue
            _close_questions(claim, now=now)
            _close_dispute(claim, actor=actor, upheld=False, rationale=rationale, now=now)
            outcome = {
                ClaimStatus.APPROVED: ClaimStatus.ENDED,
                ClaimStatus.DISPUTED: ClaimStatus.REJECTED_FINAL,
            }.get(claim.status, ClaimStatus.REJECTED)
            move_claim(
                claim,
                to=outcome,
                action="case.lost",
                actor=actor,
                now=now,
                reason=Reason.LOST_ARBITRATION,
                case=case.pk,
            )
            _save_reason_text(claim, rationale)
            notify_partner(
                claim.request,
                lambda claim=claim: (
                    _(
                        "Arbitration for %(product)s is decided in favour of another partner's "
                        "claim. Your claim is %(status)s. Reviewer's rationale: %(rationale)s"
                    )
                    % {
                        "product": claim.product.name,
                        "status": ClaimStatus(claim.status).label.lower(),
                        "rationale": rationale,
                    }
                ),
            )
        _close_questions(winning, now=now)
        _close_dispute(winning, actor=actor, upheld=True, rationale=rationale, now=now)
        if winning.status != ClaimStatus.APPROVED:
            _approve(winning, actor=actor, action="case.won", now=now, case=case.pk)
        case.status = ArbitrationCase.Status.DECIDED
        case.winner = winning
        case.decided_at = now
        case.decided_by = actor
        case.rationale = rationale
        case.save(update_fields=["status", "winner", "decided_at", "decided_by", "rationale"])
    return case


def _save_reason_text(claim: Claim, text: str) -> None:
    claim.reason_text = text
    claim.save(update_fields=["reason_text"])


def _close_dispute(claim: Claim, *, actor, upheld: bool, rationale: str, now: datetime) -> None:
    """A dispute of a claim that meets a case is answered by the case's decision."""
    Dispute.objects.filter(claim=claim, answered_at__isnull=True).update(
        answered_at=now, answered_by=actor, upheld=upheld, rationale=rationale
    )


def _close_questions(claim: Claim, *, now: datetime) -> None:
    InformationRequest.objects.filter(claim=claim, answered_at__isnull=True).update(answered_at=now)


# --- Single claims ----------------------------------------------------------------------------


def claim_approve(*, actor, claim: Claim, note: str = "", now: datetime | None = None) -> Claim:
    now = now or timezone.now()
    with transaction.atomic():
        claim = _lock(claim)
        _require(claim, ClaimStatus.UNDER_REVIEW)
        _approve(claim, actor=actor, action="claim.approved", now=now, note=note)
    return claim


def claim_reject(
    *, actor, claim: Claim, reason: str, note: str = "", now: datetime | None = None
) -> Claim:
    now = now or timezone.now()
    with transaction.atomic():
        claim = _lock(claim)
        _require(claim, ClaimStatus.UNDER_REVIEW)
        move_claim(
            claim,
            to=ClaimStatus.REJECTED,
            action="claim.rejected",
            actor=actor,
            now=now,
            reason=reason,
        )
        _save_reason_text(claim, note)
        _tell_rejection(claim, now=now)
    return claim


def _tell_rejection(claim: Claim, *, now: datetime) -> None:
    window_end = due("dispute_window_days", now)

    def text() -> str:
        parts = [
            _("%(product)s is rejected: %(reason)s.")
            % {"product": claim.product.name, "reason": claim.get_reason_display()},
            claim.reason_text,
            _("You can dispute this rejection once, with new proof, until %(date)s.")
            % {"date": _date(window_end)},
        ]
        return " ".join(part for part in parts if part)

    notify_partner(claim.request, text)


def claim_request_information(
    *, actor, claim: Claim, reason: str, question: str, now: datetime | None = None
) -> InformationRequest:
    now = now or timezone.now()
    with transaction.atomic():
        claim = _lock(claim)
        _require(claim, *QUESTIONABLE_STATUSES)
        info = InformationRequest.objects.create(
            claim=claim,
            reviewer=actor,
            reason=reason,
            question=question,
            return_status=claim.status,
            asked_at=now,
            due_at=due("information_business_days", now),
        )
        move_claim(
            claim,
            to=ClaimStatus.INFO_REQUESTED,
            action="claim.info_requested",
            actor=actor,
            now=now,
            reason=reason,
            question=question,
        )
        with translation.override(author_language(claim.request)):  # the partner reads it
            body = _(
                "Information needed for %(product)s: %(reason)s.\n%(question)s\n"
                "Answer by %(date)s, or the claim is rejected."
            ) % {
                "product": claim.product.name,
                "reason": info.get_reason_display(),
                "question": question,
                "date": _date(info.due_at),
            }
        Comment.objects.create(
            request=claim.request, author=actor, kind=Comment.Kind.REVIEWER, body=body
        )
        notify_partner(
            claim.request,
            lambda: (
                _("A reviewer needs more information about %(product)s. Please answer by %(date)s.")
                % {"product": claim.product.name, "date": _date(info.due_at)}
            ),
        )
    return info


def information_answer(
    *, actor, claim: Claim, answer: str, uploads: list[Upload], now: datetime | None = None
) -> InformationRequest:
    """The partner answers; the claim returns to where it was, with the answer as newer proof."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = _lock(claim)
        _require(claim, ClaimStatus.INFO_REQUESTED)
        info = (
            InformationRequest.objects.select_for_update(of=("self",))
            .filter(claim=claim, answered_at__isnull=True)
            .first()
        )
        if info is None:
            raise ReviewError("no_open_question")
        info.answered_at = now
        info.answer = answer
        info.save(update_fields=["answered_at", "answer"])
        proof = Proof.objects.create(
            request=claim.request, claim=claim, description=answer, author=actor
        )
        save_documents(proof, uploads)
        Comment.objects.create(
            request=claim.request, author=actor, kind=Comment.Kind.PARTNER, body=answer
        )
        back = info.return_status
        case = claim.cases.filter(status=ArbitrationCase.Status.OPEN).first()
        due_at = case.due_at if case else due("review_business_days", now)
        if back == ClaimStatus.DISPUTED:
            due_at = claim.dispute.due_at
        move_claim(
            claim, to=back, action="claim.info_answered", actor=actor, now=now, due_at=due_at
        )
    return info


def claim_dispute(
    *, actor, claim: Claim, statement: str, uploads: list[Upload], now: datetime | None = None
) -> Dispute:
    now = now or timezone.now()
    with transaction.atomic():
        claim = _lock(claim)
        _require(claim, ClaimStatus.REJECTED)
        if Dispute.objects.filter(claim=claim).exists():
            raise ReviewError("already_disputed")
        if now > due("dispute_window_days", claim.status_changed_at):
            raise ReviewError("dispute_window_closed")
        dispute = Dispute.objects.create(
            claim=claim,
            statement=statement,
            filed_by=actor,
            filed_at=now,
            due_at=due("dispute_answer_business_days", now),
        )
        proof = Proof.objects.create(
            request=claim.request, claim=claim, description=statement, author=actor
        )
        save_documents(proof, uploads)
        move_claim(
            claim,
            to=ClaimStatus.DISPUTED,
            action="claim.disputed",
            actor=actor,
            now=now,
            due_at=dispute.due_at,
        )
    return dispute


def dispute_answer(
    *, actor, dispute: Dispute, approve: bool, rationale: str, now: datetime | None = None
) -> Dispute:
    now = now or timezone.now()
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update(of=("self",)).get(pk=dispute.pk)
        claim = _lock(dispute.claim)
        _require(claim, ClaimStatus.DISPUTED)
        dispute.answered_at = now
        dispute.answered_by = actor
        dispute.upheld = approve
        dispute.rationale = rationale
        dispute.save(update_fields=["answered_at", "answered_by", "upheld", "rationale"])
        if approve:
            _approve(claim, actor=actor, action="dispute.upheld", now=now)
        else:
            move_claim(
                claim,
                to=ClaimStatus.REJECTED_FINAL,
                action="dispute.refused",
                actor=actor,
                now=now,
                reason=claim.reason,
            )
            _save_reason_text(claim, rationale)
            notify_partner(
                claim.request,
                lambda: (
                    _(
                        "Your dispute of %(product)s was reviewed; the rejection stands. "
                        "%(rationale)s"
                    )
                    % {"product": claim.product.name, "rationale": rationale}
                ),
            )
    return dispute


def claim_customer_decline(*, claim: Claim, now: datetime | None = None) -> Claim:
    """The customer's contact declined the association through the signed link."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = _lock(claim)
        _require(claim, ClaimStatus.APPROVED)
        move_claim(
            claim,
            to=ClaimStatus.REJECTED,
            action="claim.customer_declined",
            actor=None,
            now=now,
            reason=Reason.CUSTOMER_DECLINED,
        )
        _tell_rejection(claim, now=now)
    return claim


# --- Sweeps -------------------------------------------------------------------------------------


def information_request_expire(*, info: InformationRequest, now: datetime | None = None) -> bool:
    """Reject a claim whose question went unanswered past its due date."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = _lock(info.claim)
        info = InformationRequest.objects.select_for_update(of=("self",)).get(pk=info.pk)
        if info.answered_at is not None or info.due_at > now:
            return False
        if claim.status != ClaimStatus.INFO_REQUESTED:
            return False
        info.answered_at = now
        info.save(update_fields=["answered_at"])
        move_claim(
            claim,
            to=ClaimStatus.REJECTED,
            action="claim.no_response",
            actor=None,
            now=now,
            reason=Reason.NO_RESPONSE,
        )
        _tell_rejection(claim, now=now)
    return True


def case_flag_overdue(*, case: ArbitrationCase, now: datetime | None = None) -> bool:
    """Mark an overdue case for reviewers and tell its partners it takes longer."""
    now = now or timezone.now()
    with transaction.atomic():
        case = (
            ArbitrationCase.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=case.pk)
            .first()
        )
        if case is None or case.overdue_flagged_at or case.status != ArbitrationCase.Status.OPEN:
            return False
        if case.due_at > now:
            return False
        case.overdue_flagged_at = now
        case.save(update_fields=["overdue_flagged_at"])
        for claim in case.claims.select_related("request__author", "product").order_by("pk"):
            if claim.status == ClaimStatus.APPROVED:
                continue
            _tell_overdue(claim)
    return True


def _tell_overdue(claim: Claim) -> None:
    notify_partner(
        claim.request,
        lambda: (
            _(
                "The review of %(product)s takes longer than the expected five business days; "
                "your request stays under review and nothing is needed from you."
            )
            % {"product": claim.product.name}
        ),
    )


def claim_flag_overdue(*, claim: Claim, now: datetime | None = None) -> bool:
    """Tell the partner once that a single review is past its expected date."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = (
            Claim.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=claim.pk)
            .first()
        )
        if claim is None or claim.status != ClaimStatus.UNDER_REVIEW or claim.due_at > now:
            return False
        if claim.events.filter(
            action="claim.review_overdue", created_at__gte=claim.status_changed_at
        ).exists():
            return False
        record_event(
            request=claim.request, claim=claim, action="claim.review_overdue", actor=None, now=now
        )
        _tell_overdue(claim)
    return True
