from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.errors import TeamError
from partners.members import member_reinvite
from partners.models import (
    Enrolment,
    EnrolmentEvent,
    IncentiveProgram,
    MemberEvent,
    Membership,
    MpnId,
    Organisation,
)


class ReadOnlyMixin:
    """Records change through services only; nobody adds, edits or deletes them here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MpnIdInline(admin.TabularInline):
    model = MpnId
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "require_mfa", "created_at"]
    list_filter = ["require_mfa"]
    fields = ["name", "entra_tenant_ids", "require_mfa"]
    search_fields = ["name", "mpn_ids__mpn_id"]
    inlines = [MpnIdInline, MembershipInline]


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    readonly_fields = ["enrolled_at", "enrolled_by"]


@admin.register(MpnId)
class MpnIdAdmin(admin.ModelAdmin):
    list_display = ["mpn_id", "organisation", "location_name", "country", "partner_type"]
    list_filter = ["country", "partner_type", "enrolments__program"]
    search_fields = ["mpn_id", "organisation__name", "location_name"]
    list_select_related = ["organisation"]
    inlines = [EnrolmentInline]


@admin.register(IncentiveProgram)
class IncentiveProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "solution_area"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["mpn", "program", "enrolled_at", "enrolled_by"]
    list_filter = ["program"]
    search_fields = ["mpn__mpn_id", "mpn__organisation__name"]
    list_select_related = ["mpn", "program", "enrolled_by"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]
    actions = ["send_invitation"]

    @admin.action(
        description=gettext_lazy("Send an invitation to set a password"), permissions=["change"]
    )
    def send_invitation(self, request, queryset):
        """Onboard an organisation from the admin alone: its first Global admin gets the link."""
        sent = skipped = 0
        for membership in queryset.select_related("user", "organisation"):
            try:
                member_reinvite(actor=request.user, member=membership)
            except TeamError:
                skipped += 1
            else:
                sent += 1
        self.message_user(
            request,
            _(
                "Invitations sent: %(sent)s; skipped (joined, deactivated or without "
                "an e-mail address): %(skipped)s."
            )
            % {"sent": sent, "skipped": skipped},
        )


@admin.register(EnrolmentEvent)
class EnrolmentEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "mpn", "program", "action", "actor"]
    list_filter = ["action", "program"]
    search_fields = ["mpn__mpn_id", "mpn__organisation__name"]
    list_select_related = ["mpn", "program", "actor"]


@admin.register(MemberEvent)
class MemberEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The team's history: written by the team page's services."""

    list_display = ["created_at", "organisation", "action", "member", "actor"]
    list_filter = ["action"]
    search_fields = ["organisation__name", "member__email", "actor__email"]
    list_select_related = ["organisation", "member", "actor"]
