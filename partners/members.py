"""Writes of an organisation's team: invitations, roles, deactivation, the MFA requirement.

Each change locks the organisation row first and then reads what it decides on (the member,
whether the actor is still a Global admin), so two Global admins acting at once cannot both
remove the last Global admin; each records a MemberEvent (who, what, when) shown on /team/.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.mail import mail_after_commit
from partners.errors import TeamError
from partners.invitations import invitation_token, invitation_user
from partners.models import MemberEvent, Membership, Organisation, Role

USERNAME_TAKEN = "auth_user_username_key"  # Django's unique constraint on the username


def _lock(organisation: Organisation, *, actor) -> Organisation:
    """The organisation, locked; a partner acting on it must still be one of its active Global
    admins (their role may have changed since their page was shown). Staff act from the admin."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if actor is not None and not actor.is_staff:
        still = Membership.objects.filter(
            user=actor, organisation=organisation, role=Role.GLOBAL_ADMIN, user__is_active=True
        )
        if not still.exists():
            raise TeamError("not_global_admin")
    return organisation


def _locked_member(member: Membership) -> Membership:
    return Membership.objects.select_for_update().select_related("user").get(pk=member.pk)


def _record(organisation, action, *, actor, member=None, now=None, **payload) -> None:
    MemberEvent.objects.create(
        organisation=organisation,
        member=member,
        actor=actor,
        action=action,
        payload=payload,
        created_at=now or timezone.now(),
    )


def _refuse_losing_the_last_global_admin(organisation: Organisation, member: Membership) -> None:
    if member.role != Role.GLOBAL_ADMIN or not member.user.is_active:
        return
    others = (
        Membership.objects.filter(
            organisation=organisation, role=Role.GLOBAL_ADMIN, user__is_active=True
        )
        .exclude(pk=member.pk)
        .exists()
    )
    if not others:
        raise TeamError("last_global_admin")


def invited_user_create(*, email: str, first_name: str, last_name: str, **fields):
    """A user who signs in with their e-mail address once they have set a password."""
    email = email.strip().lower()
    user_model = get_user_model()
    taken = user_model.objects.filter(email__iexact=email) | user_model.objects.filter(
        username__iexact=email
    )
    if taken.exists():
        raise TeamError("email_taken")
    user = user_model(
        username=email, email=email, first_name=first_name, last_name=last_name, **fields
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # invited elsewhere at the same moment
        if USERNAME_TAKEN in str(error):
            raise TeamError("email_taken") from None
        raise
    return user


def member_invite(
    *,
    actor,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    now: datetime | None = None,
) -> Membership:
    """A new member without a password and an invitation mail in the inviter's language."""
    with transaction.atomic():
        organisation = _lock(organisation, actor=actor)
        user = invited_user_create(email=email, first_name=first_name, last_name=last_name)
        membership = Membership.objects.create(
            user=user, organisation=organisation, role=role, language=translation.get_language()
        )
        _record(
            organisation, MemberEvent.Action.INVITED, actor=actor, member=user, now=now, role=role
        )
        invitation_send(user=user, organisation=organisation, language=membership.language)
    return membership


def member_reinvite(*, actor, member: Membership, now: datetime | None = None) -> Membership:
    """A fresh link for someone who has not joined yet (the mail may be lost or expired)."""
    with transaction.atomic():
        organisation = _lock(member.organisation, actor=actor)
        member = _locked_member(member)
        if not member.is_pending:
            raise TeamError("already_joined")
        if not member.user.is_active:
            raise TeamError("inactive")
        if not member.user.email:
            raise TeamError("no_email")
        _record(
            organisation,
            MemberEvent.Action.INVITED,
            actor=actor,
            member=member.user,
            now=now,
            role=member.role,
        )
        invitation_send(
            user=member.user,
            organisation=organisation,
            language=member.language or settings.LANGUAGE_CODE,
        )
    return member


def invitation_send(*, user, organisation: Organisation | None, language: str) -> None:
    """Mail the single-use link after commit; `organisation` None is the vendor's staff."""
    url = settings.CPOR_BASE_URL.rstrip("/") + reverse(
        "invitation_accept", args=[invitation_token(user)]
    )
    with translation.override(language):
        subject = _("You are invited to the CPOR Portal")
        body = _(
            "Hello %(name)s,\n\n"
            "%(who)s invites you to the CPOR Portal, where partners claim the customers they "
            "helped and follow the claims.\n\n"
            "Set your password (or sign in with your work account) here; the link works once, "
            "for %(days)s days:\n%(url)s\n\n"
            "Your sign-in name is %(email)s."
        ) % {
            "name": user.get_full_name() or user.email,
            "who": organisation.name if organisation else _("The partner review team"),
            "days": settings.CPOR_INVITATION_DAYS,
            "url": url,
            "email": user.email,
        }
    mail_after_commit(subject, body, user.email)


def invitation_accept(*, token: str, password: str, now: datetime | None = None):
    """The invited person chose a password. The link is checked again with the user's row
    locked, so two submissions of one link cannot both use it (setting the password spends
    it: the token signs the password hash). Raises InvitationError."""
    with transaction.atomic():
        user = invitation_user(token, lock=True)
        user.set_password(password)
        user.save(update_fields=["password"])
        member_joined(member=user, how="invitation", now=now)
    return user


def member_joined(*, member, how: str, now: datetime | None = None) -> None:
    membership = getattr(member, "membership", None)
    if membership is not None:
        _record(
            membership.organisation,
            MemberEvent.Action.JOINED,
            actor=member,
            member=member,
            now=now,
            how=how,
        )


def member_change_role(
    *, actor, member: Membership, role: str, now: datetime | None = None
) -> Membership:
    if role not in Role.values:
        raise TeamError("unknown_role")
    with transaction.atomic():
        organisation = _lock(member.organisation, actor=actor)
        member = _locked_member(member)
        if member.role == role:
            raise TeamError("same_role")
        _refuse_losing_the_last_global_admin(organisation, member)
        previous = member.role
        member.role = role
        member.save(update_fields=["role"])
        _record(
            organisation,
            MemberEvent.Action.ROLE_CHANGED,
            actor=actor,
            member=member.user,
            now=now,
            previous=previous,
            role=role,
        )
    return member


def member_deactivate(*, actor, member: Membership, now: datetime | None = None) -> Membership:
    """The person can no longer sign in; their sessions end with the next request (an inactive
    user is refused by the backend). Their claims and history stay."""
    if member.user_id == actor.pk:
        raise TeamError("self")
    with transaction.atomic():
        organisation = _lock(member.organisation, actor=actor)
        member = _locked_member(member)
        if not member.user.is_active:
            raise TeamError("inactive")
        _refuse_losing_the_last_global_admin(organisation, member)
        member.user.is_active = False
        member.user.save(update_fields=["is_active"])
        _record(
            organisation, MemberEvent.Action.DEACTIVATED, actor=actor, member=member.user, now=now
        )
    return member


def organisation_set_require_mfa(
    *, actor, organisation: Organisation, required: bool, now: datetime | None = None
) -> Organisation:
    """Idempotent: two Global admins who both ask for the same end up with it once."""
    with transaction.atomic():
        organisation = _lock(organisation, actor=actor)
        if organisation.require_mfa == required:
            return organisation
        organisation.require_mfa = required
        organisation.save(update_fields=["require_mfa"])
        _record(
            organisation,
            MemberEvent.Action.MFA_REQUIRED if required else MemberEvent.Action.MFA_OPTIONAL,
            actor=actor,
            now=now,
        )
    return organisation
