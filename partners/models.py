from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from partners.catalog import SolutionArea


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    entra_tenant_ids = ArrayField(
        models.UUIDField(),
        verbose_name=_("Entra tenant IDs"),
        default=list,
        blank=True,
        help_text=_(
            "The organisation's Microsoft Entra ID tenants: their work accounts may sign in "
            "with single sign-on (comma-separated GUIDs)."
        ),
    )
    require_mfa = models.BooleanField(
        _("require MFA"),
        default=False,
        help_text=_("Every member must set up two-factor authentication before using the portal."),
    )

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organisation_name_unique_ci"),
        ]

    def __str__(self):
        return self.name


class MpnId(models.Model):
    """One MPN ID (PartnerID) of an organisation, one per location."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="mpn_ids",
        verbose_name=_("organisation"),
    )
    mpn_id = models.CharField(_("MPN ID"), max_length=7, unique=True)
    location_name = models.CharField(_("location"), max_length=200)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. CZ"))
    partner_type = models.CharField(
        _("partner type"),
        max_length=100,
        blank=True,
        help_text=_("A special partner type such as FastTrack Ready Partner, if any."),
    )

    class Meta:
        verbose_name = _("MPN ID")
        verbose_name_plural = _("MPN IDs")
        ordering = ["mpn_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mpn_id__regex=r"^[0-9]{6,7}$"), name="mpn_id_six_or_seven_digits"
            ),
        ]

    def __str__(self):
        return f"{self.mpn_id} ({self.location_name})"


class IncentiveProgram(models.Model):
    solution_area = models.CharField(
        _("solution area"), max_length=32, choices=SolutionArea.choices, unique=True
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("incentive program")
        verbose_name_plural = _("incentive programs")
        ordering = ["solution_area"]

    def __str__(self):
        return self.name


class Enrolment(models.Model):
    mpn = models.ForeignKey(
        MpnId, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("MPN ID")
    )
    program = models.ForeignKey(
        IncentiveProgram,
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("incentive program"),
    )
    enrolled_at = models.DateTimeField(_("enrolled"), auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enrolled by"),
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["mpn", "program"], name="enrolment_unique_per_program"),
        ]

    def __str__(self):
        return f"{self.mpn.mpn_id} → {self.program}"


class Role(models.TextChoices):
    GLOBAL_ADMIN = "global_admin", _("Global admin")
    INCENTIVES_ADMIN = "incentives_admin", _("Incentives admin")
    BILLING_ADMIN = "billing_admin", _("Billing admin")
    OTHER = "other", _("Other role (no CPOR access)")


CPOR_READ_ROLES = frozenset({Role.GLOBAL_ADMIN, Role.INCENTIVES_ADMIN, Role.BILLING_ADMIN})
CPOR_WRITE_ROLES = frozenset({Role.GLOBAL_ADMIN, Role.INCENTIVES_ADMIN})


class Membership(models.Model):
    """A partner user's organisation and role; a user belongs to one organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Chosen in the portal; status mails are written in it."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"

    @property
    def can_read(self) -> bool:
        return self.role in CPOR_READ_ROLES

    @property
    def can_write(self) -> bool:
        return self.role in CPOR_WRITE_ROLES

    @property
    def can_manage_team(self) -> bool:
        return self.role == Role.GLOBAL_ADMIN

    @property
    def is_pending(self) -> bool:
        """Invited (or imported) and not joined: never signed in, no password chosen."""
        return self.user.last_login is None and not self.user.has_usable_password()


class EnrolmentEvent(models.Model):
    """Who enrolled or unenrolled an MPN ID, and when: the Incentives overview's history."""

    class Action(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        UNENROLLED = "unenrolled", _("Unenrolled")

    mpn = models.ForeignKey(MpnId, on_delete=models.CASCADE, related_name="enrolment_events")
    program = models.ForeignKey(IncentiveProgram, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("enrolment change")
        verbose_name_plural = _("enrolment changes")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.mpn.mpn_id} {self.action} {self.program}"


class MemberEvent(models.Model):
    """A change to an organisation's team (who did what to whom, and when): shown on /team/."""

    class Action(models.TextChoices):
        INVITED = "member.invited", _("Invited")
        JOINED = "member.joined", _("Joined")
        ROLE_CHANGED = "member.role_changed", _("Role changed")
        DEACTIVATED = "member.deactivated", _("Deactivated")
        MFA_REQUIRED = "organisation.mfa_required", _("Two-factor authentication required")
        MFA_OPTIONAL = "organisation.mfa_optional", _("Two-factor authentication optional")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="member_events",
        verbose_name=_("organisation"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("team change")
        verbose_name_plural = _("team changes")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The team page: an organisation's latest changes.
            models.Index(fields=["organisation", "-created_at"], name="memberevent_org_latest"),
        ]

    def __str__(self):
        return f"{self.organisation} {self.action}"

    @property
    def role_label(self) -> str:
        """The role a change gave (invitation, role change), as people read it."""
        role = self.payload.get("role")
        return Role(role).label if role in Role.values else ""
