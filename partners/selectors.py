from django.db.models import Prefetch, QuerySet

from partners.models import Enrolment, IncentiveProgram, Membership, MpnId


def mpn_overview(membership: Membership) -> tuple[QuerySet, list[IncentiveProgram]]:
    """The organisation's MPN IDs with their enrolments, for the Incentives overview."""
    mpn_ids = MpnId.objects.filter(organisation_id=membership.organisation_id).prefetch_related(
        Prefetch("enrolments", queryset=Enrolment.objects.select_related("program", "enrolled_by"))
    )
    return mpn_ids, list(IncentiveProgram.objects.all())
