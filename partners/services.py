"""Writes of the partners app: enrolling MPN IDs in incentive programs."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from partners.errors import EnrolmentError
from partners.models import Enrolment, EnrolmentEvent, IncentiveProgram, Membership, MpnId


def _lock(mpn: MpnId) -> MpnId:
    return MpnId.objects.select_for_update().get(pk=mpn.pk)


def enrolment_add(
    *, actor, mpn: MpnId, program: IncentiveProgram, now: datetime | None = None
) -> Enrolment:
    now = now or timezone.now()
    with transaction.atomic():
        mpn = _lock(mpn)
        if mpn.enrolments.filter(program=program).exists():
            raise EnrolmentError("already_enrolled")
        enrolment = Enrolment.objects.create(mpn=mpn, program=program, enrolled_by=actor)
        EnrolmentEvent.objects.create(
            mpn=mpn,
            program=program,
            action=EnrolmentEvent.Action.ENROLLED,
            actor=actor,
            created_at=now,
        )
    return enrolment


def enrolment_remove(
    *, actor, mpn: MpnId, program: IncentiveProgram, now: datetime | None = None
) -> None:
    """Unenrol; claims already filed under the MPN ID keep it (the MPN audit flags them)."""
    now = now or timezone.now()
    with transaction.atomic():
        mpn = _lock(mpn)
        deleted, _ = mpn.enrolments.filter(program=program).delete()
        if not deleted:
            raise EnrolmentError("not_enrolled")
        EnrolmentEvent.objects.create(
            mpn=mpn,
            program=program,
            action=EnrolmentEvent.Action.UNENROLLED,
            actor=actor,
            created_at=now,
        )


def membership_set_language(*, membership: Membership, language: str) -> Membership:
    """Remember the partner's language, so mails sent by the worker use it too."""
    if membership.language != language:
        membership.language = language
        membership.save(update_fields=["language"])
    return membership
