"""Approved claims whose subscription has lapsed: found in one query, ended one by one."""

from django.db.models import Exists, OuterRef, Q, QuerySet

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
