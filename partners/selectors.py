from django.db.models import Prefetch
from django.http import Http404

from partners.models import Enrolment, EnrolmentEvent, IncentiveProgram, Membership, MpnId


def mpn_overview(membership: Membership) -> list[tuple[MpnId, list]]:
    """The organisation's MPN IDs, each with (program, enrolment, last change) per program."""
    programs = list(IncentiveProgram.objects.all())
    mpn_ids = MpnId.objects.filter(organisation_id=membership.organisation_id).prefetch_related(
        Prefetch("enrolments", queryset=Enrolment.objects.select_related("enrolled_by")),
        Prefetch("enrolment_events", queryset=EnrolmentEvent.objects.select_related("actor")),
    )
    rows = []
    for mpn in mpn_ids:
        enrolments = {e.program_id: e for e in mpn.enrolments.all()}
        last_change = {}
        for event in mpn.enrolment_events.all():  # newest first
            last_change.setdefault(event.program_id, event)
        rows.append(
            (
                mpn,
                [(p, enrolments.get(p.pk), last_change.get(p.pk)) for p in programs],
            )
        )
    return rows, programs


def mpn_get_for_user(membership: Membership, mpn_id: str) -> MpnId:
    """Another organisation's MPN ID does not exist for this user."""
    mpn = MpnId.objects.filter(organisation_id=membership.organisation_id, mpn_id=mpn_id).first()
    if mpn is None:
        raise Http404
    return mpn


def program_get(solution_area: str) -> IncentiveProgram:
    program = IncentiveProgram.objects.filter(solution_area=solution_area).first()
    if program is None:
        raise Http404
    return program
