"""Approved claims whose subscription has lapsed: found in one query, ended one by one."""

from uuid import UUID

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from associations.models import Claim, ClaimStatus
from validation.models import COUNTING_STATES, Subscription


def approved_claims_without_live_subscription() -> QuerySet:
    """Business Applications claims by their subscription, Microsoft 365 ones by the tenant's
    subscriptions of the workload: a claim counts while one of them is active or in grace."""
    live = Subscription.objects.filter(state__in=COUNTING_STATES)
    return (
        Claim.objects.filter(status=ClaimStatus.APPROVED)
        .alias(
            live_subscription=Exists(live.filter(pk=OuterRef("subscription_id"))),
            live_workload=Exists(
                live.filter(tenant_id=OuterRef("tenant_id"), product_id=OuterRef("product_id"))
            ),
        )
        .filter(
            Q(subscription_id__isnull=False, live_subscription=False)
            | Q(subscription_id__isnull=True, live_workload=False)
        )
    )


def approved_claims_of_changed_subscriptions(
    subscriptions: list[tuple[str, str, int]],
) -> QuerySet:
    """The lapsed approved claims among those the changed subscriptions carried: by the
    subscription itself, or (Microsoft 365) by the tenant and workload it belonged to."""
    ids = [UUID(sub) for sub, _tenant, _product in subscriptions]
    workloads = RawSQL(  # noqa: S611 (the table name from metadata; values are parameters)
        f"""SELECT c.id FROM {Claim._meta.db_table} c
        JOIN unnest(%s::uuid[], %s::int[]) AS w (tenant_id, product_id)
        ON c.tenant_id = w.tenant_id AND c.product_id = w.product_id
        WHERE c.subscription_id IS NULL AND c.status = %s""",  # noqa: S608
        (
            [UUID(tenant) for _sub, tenant, _product in subscriptions],
            [product for _sub, _tenant, product in subscriptions],
            ClaimStatus.APPROVED,
        ),
    )
    return approved_claims_without_live_subscription().filter(
        Q(subscription_id__in=ids) | Q(pk__in=workloads)
    )
