from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from associations.models import (
    AssociationRequest,
    CheckResult,
    Claim,
    Comment,
    Proof,
    ProofDocument,
    StatusEvent,
)
from associations.templatetags.cpor import reveal_hidden
from partners.admin import ReadOnlyMixin
from validation.domains import display_domain


class EstimatedCountPaginator(Paginator):
    """An unfiltered list of a big table takes PostgreSQL's row estimate (`pg_class.reltuples`,
    kept by autovacuum) as its count: COUNT(*) would read millions of rows on every page.
    Filtered lists, and tables below `ESTIMATE_ABOVE` rows, count exactly."""

    ESTIMATE_ABOVE = 100_000

    @cached_property
    def count(self):
        if not self.object_list.query.where:
            with connections[self.object_list.db].cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [self.object_list.model._meta.db_table],
                )
                estimate = cursor.fetchone()[0]
            if estimate > self.ESTIMATE_ABOVE:
                return estimate
        return super().count


def revealed(name: str, description):
    """A read-only display of a partner's text with its hidden characters marked, as on the
    reviewers' claim card: a direction override must not turn the text round here either."""

    @admin.display(description=description)
    def show(obj):
        return reveal_hidden(getattr(obj, name))

    return show


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Newest first by id (the primary key's index, whatever the table's size), 25 to a page, an
    estimated count for an unfiltered big table and no second count beside the filtered one.
    The fields in `revealed_fields` (a partner's free text) show in place through `revealed`.
    """

    paginator = EstimatedCountPaginator
    ordering = ["-pk"]
    list_per_page = 25
    show_full_result_count = False
    revealed_fields: tuple[str, ...] = ()

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self._revealed = {
            name: revealed(name, model._meta.get_field(name).verbose_name)
            for name in self.revealed_fields
        }

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self._revealed.values()]

    def get_fields(self, request, obj=None):
        shown = (self._revealed.get(name, name) for name in super().get_fields(request, obj))
        return list(dict.fromkeys(shown))


@admin.display(description=_("request"), ordering="request_id")
def request_reference(obj):
    """The record's request reference from its request id: no query per row."""
    return AssociationRequest.reference_for(obj.request_id)


comment_body = revealed("body", _("comment"))
file_name = revealed("original_name", _("file name"))


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0


class ClaimInline(ReadOnlyInline):
    model = Claim
    fields = ["product", "subscription_id", "status", "reason", "due_at"]
    readonly_fields = fields


class CommentInline(ReadOnlyInline):
    model = Comment
    fields = ["created_at", "kind", "author", comment_body]
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
        "customer_domain",
        "solution_area",
        "activity",
        "created_at",
    ]
    list_filter = ["solution_area", "activity", "claims__status"]
    search_fields = ["=id", "claim_name", "organisation__name", "=tenant_id", "domain"]
    list_select_related = ["organisation"]
    inlines = [ClaimInline, CommentInline, StatusEventInline]
    revealed_fields = ("claim_name", "customer_contact_name", "proof_description")

    @admin.display(description=_("customer domain"), ordering="domain")
    def customer_domain(self, obj):
        return display_domain(obj.domain)


@admin.register(StatusEvent)
class StatusEventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        request_reference,
        "claim",
        "action",
        "from_status",
        "to_status",
        "reason",
        "actor",
    ]
    list_filter = ["action", "to_status", "reason"]
    search_fields = ["=request__id"]
    list_select_related = ["claim__product", "actor"]


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "reason", "tenant_id", "subscription_id", "due_at"]
    revealed_fields = ("reason_text",)
    list_filter = ["status", "reason", "activity", "product__solution_area"]
    search_fields = [
        "=request__id",
        "=tenant_id",
        "=subscription_id",
        "request__organisation__name",
    ]
    list_select_related = ["product"]


@admin.register(CheckResult)
class CheckResultAdmin(ReadOnlyAdmin):
    list_display = [request_reference, "claim", "code", "passed", "checked_at"]
    list_filter = ["passed", "code"]
    search_fields = ["=request__id"]
    list_select_related = ["claim__product"]


class ProofDocumentInline(ReadOnlyInline):
    model = ProofDocument
    fields = [file_name, "content_type", "size"]
    readonly_fields = fields


@admin.register(Proof)
class ProofAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "claim", "author", "created_at"]
    revealed_fields = ("description",)
    search_fields = ["=request__id", "description"]
    list_select_related = ["claim__product", "author"]
    inlines = [ProofDocumentInline]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = [request_reference, "kind", "author", "created_at"]
    revealed_fields = ("body",)
    list_filter = ["kind"]
    search_fields = ["=request__id", "body"]
    list_select_related = ["author"]
