from django.contrib import admin

from validation.models import Domain, Product, Subscription, Tenant


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    show_change_link = True


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["display_name", "tenant_id"]
    search_fields = ["display_name", "=tenant_id", "domains__name"]
    inlines = [DomainInline, SubscriptionInline]


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
