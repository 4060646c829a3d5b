from uuid import UUID

from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from partners.models import (
    Enrolment,
    EnrolmentEvent,
    IncentiveProgram,
    MemberEvent,
    Membership,
    MpnId,
)


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


def sso_member_for(claims: dict):
    """The active partner user a verified work account belongs to, or None.

    The `email` claim must be verified: by `email_verified`, or for Entra ID by `xms_edov`
    (the address's domain is verified by its tenant; `preferred_username` and an unverified
    `email` may be set by anyone in the tenant). An Entra token (`tid`) must also come from a
    tenant the member's organisation lists. Staff never sign in this way.
    """
    email, tenant = claims.get("email"), claims.get("tid")
    verified = claims.get("email_verified") is True or claims.get("xms_edov") is True
    if not isinstance(email, str) or not 0 < len(email) <= 254 or not verified:
        return None
    users = get_user_model().objects.filter(
        email__iexact=email, is_active=True, is_staff=False, membership__isnull=False
    )
    if tenant is not None:
        try:
            tenant = UUID(tenant) if isinstance(tenant, str) else None
        except ValueError:
            tenant = None
        if tenant is None:
            return None
        users = users.filter(membership__organisation__entra_tenant_ids__contains=[tenant])
    matches = list(users[:2])
    return matches[0] if len(matches) == 1 else None


def team_members(membership: Membership) -> QuerySet[Membership]:
    """The organisation's members with what the team page shows, in one query."""
    user = OuterRef("user_id")
    return (
        Membership.objects.filter(organisation_id=membership.organisation_id)
        .select_related("user")
        .annotate(
            mfa_on=Exists(Authenticator.objects.filter(user_id=user, type=Authenticator.Type.TOTP)),
            sso_linked=Exists(SocialAccount.objects.filter(user_id=user)),
        )
        .order_by("-user__is_active", "user__last_name", "user__first_name", "user__email")
    )


def member_get_for_user(membership: Membership, user_id: int) -> Membership:
    """Another organisation's member does not exist for this user."""
    member = (
        Membership.objects.filter(organisation_id=membership.organisation_id, user_id=user_id)
        .select_related("user", "organisation")
        .first()
    )
    if member is None:
        raise Http404
    return member


def team_events(membership: Membership, limit: int = 20) -> list[MemberEvent]:
    return list(
        MemberEvent.objects.filter(organisation_id=membership.organisation_id).select_related(
            "actor", "member"
        )[:limit]
    )
