"""Every read the webhook pages need, scoped to the Global admin's organisation."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from partners.models import Membership
from webhooks.models import Delivery, Endpoint

DELIVERIES_PER_PAGE = 25
MANAGE_DENIED = _(
    "Your role (%(role)s) cannot manage webhooks. Webhook endpoints are for the Global admin."
)


def require_global_admin(membership: Membership) -> None:
    if not membership.can_manage_team:
        raise PermissionDenied(MANAGE_DENIED % {"role": membership.get_role_display()})


def endpoints_for(membership: Membership) -> list[Endpoint]:
    return list(
        Endpoint.objects.filter(organisation_id=membership.organisation_id)
        .select_related("created_by")
        .order_by("pk")
    )


def endpoint_get_for_user(membership: Membership, pk: int) -> Endpoint:
    """Another organisation's endpoint is 404, as if it did not exist."""
    return get_object_or_404(
        Endpoint.objects.select_related("created_by"),
        pk=pk,
        organisation_id=membership.organisation_id,
    )


def delivery_get_for_user(membership: Membership, endpoint_pk: int, pk: int) -> Delivery:
    return get_object_or_404(
        Delivery.objects.select_related("endpoint"),
        pk=pk,
        endpoint_id=endpoint_pk,
        endpoint__organisation_id=membership.organisation_id,
    )


def recent_deliveries(
    endpoint: Endpoint, *, before: int | None
) -> tuple[list[Delivery], int | None]:
    """A page of deliveries, newest first, by keyset (no OFFSET, no count); and the id to ask
    the next page before, if there is one."""
    rows = endpoint.deliveries.order_by("-pk").defer("payload")
    if before is not None:
        rows = rows.filter(pk__lt=before)
    page = list(rows[: DELIVERIES_PER_PAGE + 1])
    more = len(page) > DELIVERIES_PER_PAGE
    page = page[:DELIVERIES_PER_PAGE]
    return page, (page[-1].pk if more else None)
