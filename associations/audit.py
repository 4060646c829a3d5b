"""The billing admins' MPN audit: which MPN ID each claim was filed under, and the risky choices.

Everything is aggregated in SQL (one grouped query for the counts, one for customers filed under
several MPN IDs), so an organisation with 100,000 claims costs what one with ten does.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, QuerySet, Window

from associations.models import AssociationRequest, Claim, ClaimStatus
from associations.selectors import created_between
from partners.catalog import Activity, SolutionArea
from partners.models import Membership, MpnId

CUSTOMERS_SHOWN = 50


@dataclass
class MpnRow:
    mpn: MpnId
    enrolled_areas: set[str]
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_area: dict[str, int] = field(default_factory=dict)
    by_activity: dict[str, int] = field(default_factory=dict)
    not_enrolled: dict[str, int] = field(default_factory=dict)  # area -> claims

    @property
    def special_type(self) -> bool:
        return bool(self.mpn.partner_type)


@dataclass
class SharedCustomer:
    tenant_id: str
    domain: str
    mpn_ids: list[str]
    claims: int


@dataclass
class Audit:
    rows: list[MpnRow]
    shared_customers: list[SharedCustomer]
    shared_customer_count: int

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def max_total(self) -> int:
        return max((row.total for row in self.rows), default=0)


def audit_claims(membership: Membership, date_from=None, date_to=None) -> QuerySet:
    """The organisation's claims filed in the range, read through the claim_audit index."""
    return Claim.objects.filter(
        created_between(date_from, date_to, "filed_at"),
        organisation_id=membership.organisation_id,
    )


def organisation_mpn_rows(membership: Membership) -> dict[int, MpnRow]:
    """The organisation's MPN IDs with the solution areas each is enrolled in, counts empty."""
    mpn_ids = MpnId.objects.filter(organisation_id=membership.organisation_id).prefetch_related(
        "enrolments__program"
    )
    return {
        mpn.pk: MpnRow(mpn, {e.program.solution_area for e in mpn.enrolments.all()})
        for mpn in mpn_ids
    }


def mpn_audit(membership: Membership, *, date_from=None, date_to=None) -> Audit:
    rows = organisation_mpn_rows(membership)
    claims = audit_claims(membership, date_from, date_to)
    # COUNT(*), not COUNT(id): the id is not in the covering index, so counting it would read
    # the table.
    grouped = claims.values_list("mpn_id", "status", "solution_area", "activity").annotate(
        n=Count("*")
    )
    for mpn_pk, status, area, activity, count in grouped.order_by():
        row = rows[mpn_pk]
        row.total += count
        for bucket, key in (
            (row.by_status, status),
            (row.by_area, area),
            (row.by_activity, activity),
        ):
            bucket[key] = bucket.get(key, 0) + count
        if area not in row.enrolled_areas:
            row.not_enrolled[area] = row.not_enrolled.get(area, 0) + count
    # "More than one MPN ID" as MIN < MAX: a plain hash aggregate, where COUNT(DISTINCT)
    # would sort every customer's claims. The total comes with the top rows (a window).
    shown = list(
        claims.values("tenant_id")
        .annotate(low=Min("mpn"), high=Max("mpn"), n=Count("*"), total=Window(Count("*")))
        .filter(low__lt=F("high"))
        .order_by("-n", "tenant_id")[:CUSTOMERS_SHOWN]
    )
    return Audit(
        rows=list(rows.values()),
        shared_customers=_describe(claims, shown, rows, membership.organisation_id),
        shared_customer_count=shown[0]["total"] if shown else 0,
    )


def _describe(
    claims: QuerySet, shown: list[dict], rows: dict[int, MpnRow], organisation_id: int
) -> list[SharedCustomer]:
    """The MPN IDs and a domain of each customer filed under several MPN IDs."""
    tenants = [row["tenant_id"] for row in shown]
    detail = defaultdict(set)
    pairs = claims.filter(tenant_id__in=tenants).values_list("tenant_id", "mpn_id").distinct()
    for tenant_id, mpn_pk in pairs.order_by():
        detail[tenant_id].add(rows[mpn_pk].mpn.mpn_id)
    domains = dict(
        AssociationRequest.objects.filter(organisation_id=organisation_id, tenant_id__in=tenants)
        .order_by("tenant_id", "-pk")
        .distinct("tenant_id")
        .values_list("tenant_id", "domain")
    )
    return [
        SharedCustomer(
            tenant_id=str(row["tenant_id"]),
            domain=domains.get(row["tenant_id"], ""),
            mpn_ids=sorted(detail[row["tenant_id"]]),
            claims=row["n"],
        )
        for row in shown
    ]


STATUS_COLUMNS = ClaimStatus.choices
AREA_COLUMNS = SolutionArea.choices
ACTIVITY_COLUMNS = Activity.choices
