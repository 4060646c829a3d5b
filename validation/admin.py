from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from validation.models import Domain, Product, Subscription, Tenant


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    """Subscriptions are a link to their filtered list, not an inline: a tenant with hundreds
    of them would put more fields in the form than a request may carry, and never save."""

    list_display = ["display_name", "tenant_id"]
    search_fields = ["display_name", "=tenant_id", "domains__name"]
    readonly_fields = ["subscriptions"]
    inlines = [DomainInline]

    @admin.display(description=_("subscriptions"))
    def subscriptions(self, tenant: Tenant) -> str:
        if tenant.pk is None:
            return "-"
        count = tenant.subscriptions.count()
        url = reverse("admin:validation_subscription_changelist")
        return format_html(
            '<a href="{}?{}">{}</a>',
            url,
            urlencode({"tenant__exact": tenant.pk}),
            ngettext("%(count)d subscription", "%(count)d subscriptions", count) % {"count": count},
        )


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "is_initial"]
    list_filter = ["is_initial"]
    search_fields = ["name", "tenant__display_name", "=tenant__tenant_id"]
    list_select_related = ["tenant"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "solution_area"]
    list_filter = ["solution_area"]
    search_fields = ["name", "code"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["subscription_id", "tenant", "product", "channel", "provisioned", "state"]
    list_filter = ["state", "channel", "provisioned", "product__solution_area", "product"]
    search_fields = ["=subscription_id", "=tenant__tenant_id", "tenant__display_name"]
    list_select_related = ["tenant", "product"]
