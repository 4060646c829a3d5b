"""Every read of the bulk filing pages, scoped to the signed-in user's organisation."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from associations.bulk.spreadsheet import TemplateLists
from associations.models import AssociationRequest, Batch, BatchRow, Claim
from associations.policy import FINAL_STATUSES
from partners.access import require_write
from partners.catalog import Activity
from partners.models import Membership, MpnId
from validation.models import Product

BATCHES_SHOWN = 20


def batch_get_for_user(membership: Membership, batch_id: int) -> Batch:
    """The one access decision for a batch: another organisation's is 404; bulk filing is for
    the roles that file (DESIGN.md section 8), so a read-only role gets 403."""
    batch = (
        Batch.objects.select_related("author")
        .filter(pk=batch_id, organisation_id=membership.organisation_id)
        .first()
    )
    if batch is None:
        raise Http404
    require_write(membership)
    return batch


def batch_list(membership: Membership) -> list[Batch]:
    """The organisation's newest batches with the requests each created, in two queries."""
    return list(
        Batch.objects.filter(organisation_id=membership.organisation_id)
        .select_related("author")
        .prefetch_related(
            Prefetch("requests", queryset=AssociationRequest.objects.only("pk").order_by("pk"))
        )
        .order_by("-pk")[:BATCHES_SHOWN]
    )


def batch_rows(batch: Batch, verdict: str = "") -> QuerySet[BatchRow]:
    """The preview's rows; `template_offered`: the request a row filed still has a live claim,
    so its proof template can be downloaded (as on the request's page)."""
    live = Claim.objects.filter(request_id=OuterRef("request_id")).exclude(
        status__in=FINAL_STATUSES
    )
    rows = (
        batch.rows.select_related("existing_request", "request")
        .annotate(template_offered=Exists(live))
        .order_by("number")
    )
    return rows.filter(verdict=verdict) if verdict else rows


def template_lists(membership: Membership) -> TemplateLists:
    """The organisation's enrolled MPN IDs and the catalog, for the template's lists."""
    mpns = list(
        MpnId.objects.filter(organisation_id=membership.organisation_id, enrolments__isnull=False)
        .order_by("mpn_id")
        .values_list("mpn_id", flat=True)
        .distinct()
    )
    products = list(Product.objects.order_by("solution_area", "name"))
    example_product = products[0] if products else None
    return TemplateLists(
        mpn_ids=mpns,
        products=[product.name for product in products],
        example={
            "claim_name": "Contoso Dynamics 365",
            "tenant_id": "3c1b5a0e-6f1d-4b8a-9d2e-0a1b2c3d4e01",
            "domain": "contoso.com",
            "solution_area": str(example_product.get_solution_area_display())
            if example_product
            else "",
            "activity": str(Activity.PRE_SALES.label),
            "mpn_id": mpns[0] if mpns else "",
            "product": example_product.name if example_product else "",
            "subscription_id": "5ab00000-0000-4000-8000-c10000000001",
            "customer_contact_name": "Jana Nováková",
            "customer_contact_title": "CIO",
            "customer_contact_email": "jana.novakova@contoso.com",
            "partner_contact_name": "Petr Svoboda",
            "partner_contact_email": "petr.svoboda@partner.example",
            "opt_out_of_incentives": "no",
            "public_sector": "no",
            "proof_description": "Workshop and deployment, signed by the customer.",
        },
    )
