from django.contrib import admin

from associations.models import (
    AssociationRequest,
    CheckResult,
    Claim,
    Comment,
    Proof,
    ProofDocument,
    StatusEvent,
)


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


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "reason", "tenant_id", "subscription_id", "due_at"]
    list_filter = ["status", "reason", "activity", "product__solution_area"]
    search_fields = [
        "=request__id",
        "=tenant_id",
        "=subscription_id",
        "request__organisation__name",
    ]
    list_select_related = ["request", "product"]


@admin.register(CheckResult)
class CheckResultAdmin(ReadOnlyAdmin):
    list_display = ["request", "claim", "code", "passed", "checked_at"]
    list_filter = ["passed", "code"]
    search_fields = ["=request__id"]
    list_select_related = ["request", "claim__product"]


class ProofDocumentInline(ReadOnlyInline):
    model = ProofDocument
    fields = ["original_name", "content_type", "size"]
    readonly_fields = fields


@admin.register(Proof)
class ProofAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "claim", "author", "created_at"]
    search_fields = ["=request__id", "description"]
    list_select_related = ["request", "claim__product", "author"]
    inlines = [ProofDocumentInline]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["request", "kind", "author", "created_at"]
    list_filter = ["kind"]
    search_fields = ["=request__id", "body"]
    list_select_related = ["request", "author"]
