from django.contrib import admin

from associations.models import AssociationRequest, Claim, Comment, StatusEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records change through services only; nobody adds, edits or deletes them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClaimInline(ReadOnlyInline):
    model = Claim
    fields = ["product", "subscription_id", "status", "reason", "due_at"]
    readonly_fields = fields


class CommentInline(ReadOnlyInline):
    model = Comment
    fields = ["created_at", "kind", "author", "body"]
    readonly_fields = fields


class StatusEventInline(ReadOnlyInline):
    """The timeline: nobody, reviewers included, can change or delete it."""

    model = StatusEvent
    fields = ["created_at", "actor", "claim", "action", "from_status", "to_status", "reason"]
    readonly_fields = fields


@admin.register(AssociationRequest)
class AssociationRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "claim_name",
        "organisation",
        "domain",
        "solution_area",
        "activity",
        "created_at",
    ]
    list_filter = ["solution_area", "activity", "claims__status"]
    search_fields = ["=id", "claim_name", "organisation__name", "=tenant_id", "domain"]
    list_select_related = ["organisation"]
    inlines = [ClaimInline, CommentInline, StatusEventInline]


@admin.register(StatusEvent)
class StatusEventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "request",
        "claim",
        "action",
        "from_status",
        "to_status",
        "reason",
        "actor",
    ]
    list_filter = ["action", "to_status", "reason"]
    search_fields = ["=request__id"]
    list_select_related = ["request", "claim__product", "actor"]
