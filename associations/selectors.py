"""Every read the partner's pages need, scoped to the signed-in user's organisation."""

import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.contrib.postgres.aggregates import JSONBAgg
from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    Exists,
    Func,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Reverse
from django.http import Http404
from django.utils import timezone

from associations import policy
from associations.choices import REVIEWER_ONLY_EVENTS, Event
from associations.models import (
    AssociationRequest,
    CheckResult,
    Claim,
    ClaimStatus,
    Proof,
    ProofDocument,
    StatusEvent,
)
from partners.access import require_write
from partners.catalog import Activity, SolutionArea
from partners.models import Membership
from validation.domains import normalise_domain

PAGE_SIZE = 25


def request_get_for_user(
    membership: Membership, reference: str, *, for_write: bool = False
) -> AssociationRequest:
    """The one access decision for a request: another organisation's is 404, read-only roles 403."""
    pk = AssociationRequest.pk_from_reference(reference)
    request = (
        AssociationRequest.objects.select_related("mpn", "author", "organisation")
        .filter(pk=pk, organisation_id=membership.organisation_id)
        .first()
        if pk is not None
        else None
    )
    if request is None:
        raise Http404
    if for_write:
        require_write(membership)
    return request


def request_detail(request: AssociationRequest) -> AssociationRequest:
    """Attach everything the detail page shows, in a fixed number of queries."""
    claims = list(
        request.claims.select_related("product").prefetch_related(
            Prefetch(
                "check_results",
                queryset=CheckResult.objects.failed().select_related("related_request"),
            )
        )
    )
    request.claim_list = claims
    request.request_checks = list(request.check_results.failed().filter(claim__isnull=True))
    request.proof_list = list(
        Proof.objects.filter(request=request)
        .select_related("claim__product", "author")
        .prefetch_related(Prefetch("documents", queryset=ProofDocument.objects.order_by("pk")))
    )
    request.comment_list = list(request.comments.select_related("author"))
    request.event_list = list(
        StatusEvent.objects.filter(request=request)
        .exclude(action__in=REVIEWER_ONLY_EVENTS)
        .select_related("actor", "claim__product")
    )
    # Read off the timeline the page shows anyway: a claim disputes its rejection once.
    request.disputed_claims = frozenset(
        event.claim_id for event in request.event_list if event.action == Event.CLAIM_DISPUTED
    )
    return request


@dataclass(frozen=True)
class RequestFilters:
    status: str = ""
    solution_area: str = ""
    activity: str = ""
    q: str = ""
    mpn: str = ""  # an MPN ID, e.g. from the MPN audit's drill-down
    date_from: date | None = None
    date_to: date | None = None

    @property
    def active(self) -> bool:
        return any(
            (
                self.status,
                self.solution_area,
                self.activity,
                self.q,
                self.mpn,
                self.date_from,
                self.date_to,
            )
        )


def created_between(date_from: date | None, date_to: date | None, field: str = "created_at") -> Q:
    """Requests created on those local calendar days, both included; open ends allowed."""
    zone = timezone.get_current_timezone()
    condition = Q()
    if date_from:
        condition &= Q(**{f"{field}__gte": datetime.combine(date_from, time.min, zone)})
    if date_to:
        condition &= Q(**{f"{field}__lte": datetime.combine(date_to, time.max, zone)})
    return condition


def _id_bounds(field: str, before: int | None, after: int | None) -> Q:
    bounds = Q()
    if before is not None:
        bounds &= Q(**{f"{field}__lt": before})
    if after is not None:
        bounds &= Q(**{f"{field}__gt": after})
    return bounds


def request_search(
    membership: Membership,
    filters: RequestFilters,
    *,
    before: int | None = None,
    after: int | None = None,
    base: QuerySet | None = None,
) -> QuerySet:
    """The organisation's requests matching `filters`, with ids between `after` and `before`
    (keyset pages) if given, as rows of `base` (by default the requests themselves)."""
    organisation = membership.organisation_id
    requests = (AssociationRequest.objects if base is None else base).filter(
        _id_bounds("pk", before, after), organisation_id=organisation
    )
    if filters.mpn:
        requests = requests.filter(mpn__mpn_id=filters.mpn)
    if filters.date_from or filters.date_to:
        created = created_between(filters.date_from, filters.date_to)
        requests = requests.filter(created)
        if filters.date_to:
            in_range = AssociationRequest.objects.filter(created, organisation_id=organisation)
            requests = requests.filter(_created_id_span(in_range))
    if filters.status:
        # The organisation and the id bounds are repeated inside, so the claim_status_request
        # index is read from the page's first request on, not from the organisation's newest.
        organisation_claims = Claim.objects.filter(
            _id_bounds("request_id", before, after),
            organisation_id=organisation,
            status=filters.status,
        )
        requests = requests.filter(Exists(organisation_claims.filter(request=OuterRef("pk"))))
    if filters.solution_area:
        requests = requests.filter(solution_area=filters.solution_area)
    if filters.activity:
        requests = requests.filter(activity=filters.activity)
    if q := filters.q.strip():
        requests = _search(requests, q)
    return requests


def _created_id_span(created: QuerySet) -> Q:
    """The bounds of the ids of the requests created in a date range: redundant with the range
    (true of every request in it), but ids grow with creation time, so with them PostgreSQL
    reads the range's newest requests instead of walking back from the organisation's newest.

    Only for a range with an end: finding the bounds reads the range from an index, which an
    open range (up to now, so its newest requests come first anyway) does not need."""
    per_organisation = created.order_by().values("organisation_id")
    return Q(
        pk__gte=Subquery(per_organisation.annotate(first=Min("pk")).values("first")),
        pk__lte=Subquery(per_organisation.annotate(last=Max("pk")).values("last")),
    )


def _search(requests: QuerySet, q: str) -> QuerySet:
    """A reference, a tenant ID, or a domain with its subdomains (matched on the reversed name,
    so an index finds `*.contoso.com` as a prefix)."""
    pk = AssociationRequest.pk_from_reference(q)
    if pk is not None:
        return requests.filter(pk=pk)
    try:
        return requests.filter(tenant_id=uuid.UUID(q))
    except ValueError:
        pass
    try:
        domain = normalise_domain(q)
    except ValidationError:
        domain = q.lower()
    return requests.alias(domain_reversed=Reverse("domain")).filter(
        Q(domain_reversed=domain[::-1]) | Q(domain_reversed__startswith=f".{domain}"[::-1])
    )


@dataclass(frozen=True)
class Page:
    rows: list
    newer: int | None  # pass as ?after= to get the newer page
    older: int | None  # pass as ?before= to get the older page


@dataclass
class ListRow:
    """A row of the request list: plain values, not model instances (the list is the portal's
    busiest page, and building models costs more than the SQL). Its repr is the key of the
    rows' rendered HTML, so it holds every value the row shows."""

    pk: int
    claim_name: str
    domain: str
    tenant_id: uuid.UUID
    solution_area: str
    activity: str
    created_at: datetime
    mpn_id: str
    claims: list[tuple[str, str]] = field(default_factory=list)  # (status, product name)

    @property
    def reference(self) -> str:
        return AssociationRequest.reference_for(self.pk)

    @property
    def solution_area_label(self) -> str:
        return SolutionArea(self.solution_area).label

    @property
    def activity_label(self) -> str:
        return Activity(self.activity).label


_LIST_COLUMNS = (
    "pk",
    "claim_name",
    "domain",
    "tenant_id",
    "solution_area",
    "activity",
    "created_at",
    "mpn__mpn_id",
)


_per_thread = threading.local()


def _list_rows_query() -> QuerySet:
    """Each request with its claims' [status, product name] pairs as one JSON array, in one
    query; every page clones it and adds its own filters. Resolving the subquery costs a fifth
    of the list page, so it is built once per thread: not once per process, because compiling
    a subquery briefly changes its inner query, which threads must not share."""
    rows = getattr(_per_thread, "list_rows", None)
    if rows is None:
        rows = _per_thread.list_rows = AssociationRequest.objects.annotate(
            claim_list=Subquery(
                Claim.objects.filter(request=OuterRef("pk"))
                .values("request")
                .annotate(
                    pairs=JSONBAgg(
                        Func("status", "product__name", function="jsonb_build_array"),
                        order_by="pk",
                    )
                )
                .values("pairs")
            )
        ).values_list(*_LIST_COLUMNS, "claim_list")
    return rows


def _list_rows(rows: QuerySet) -> list[ListRow]:
    return [
        ListRow(*values, claims=[(status, product) for status, product in claims or ()])
        for *values, claims in rows
    ]


def request_page(
    membership: Membership,
    filters: RequestFilters,
    *,
    before: int | None = None,
    after: int | None = None,
    size: int | None = None,
) -> Page:
    """Keyset pagination, newest first: deep pages cost what the first page costs."""
    size = size or PAGE_SIZE
    if after is not None:
        requests = request_search(membership, filters, after=after, base=_list_rows_query())
        rows = _list_rows(requests.order_by("pk")[: size + 1])
        has_more = len(rows) > size
        rows = rows[:size][::-1]
        newer = rows[0].pk if has_more and rows else None
        older = rows[-1].pk if rows else None
    else:
        requests = request_search(membership, filters, before=before, base=_list_rows_query())
        rows = _list_rows(requests.order_by("-pk")[: size + 1])
        has_more = len(rows) > size
        rows = rows[:size]
        older = rows[-1].pk if has_more else None
        newer = rows[0].pk if before is not None and rows else None
    return Page(rows=rows, newer=newer, older=older)


def claim_counts(membership: Membership) -> list[tuple[str, str, int]]:
    """(status, label, count) of the organisation's claims, in lifecycle order, non-zero only."""
    counts = dict(
        Claim.objects.filter(organisation_id=membership.organisation_id)
        .values_list("status")
        .annotate(n=Count("*"))  # COUNT(*): an index-only scan of claim_status_request
        .values_list("status", "n")
    )
    return [
        (value, label, counts[value]) for value, label in ClaimStatus.choices if counts.get(value)
    ]


def claims_for_export(membership: Membership, filters: RequestFilters) -> QuerySet:
    requests = request_search(membership, filters)
    claims = Claim.objects.filter(request__in=requests.values("pk"))
    if filters.status:
        claims = claims.filter(status=filters.status)
    return claims.select_related("request", "request__mpn", "product").order_by("-request_id", "pk")


def document_get(request: AssociationRequest, document_id: int) -> ProofDocument:
    """A document of a request the caller already fetched with request_get_for_user."""
    document = (
        ProofDocument.objects.filter(pk=document_id, proof__request=request)
        .select_related("proof")
        .first()
    )
    if document is None:
        raise Http404
    return document


def claims_allowing(request: AssociationRequest, action: policy.Action) -> QuerySet:
    """The request's claims whose status allows `action` (editing, newer proof)."""
    statuses = policy.statuses_allowing(action)
    return request.claims.filter(status__in=statuses).select_related("product")


def claim_of_request(request: AssociationRequest, claim_id: int) -> Claim:
    claim = request.claims.select_related("product").filter(pk=claim_id).first()
    if claim is None:
        raise Http404
    return claim


def claim_get_for_user(membership: Membership, claim_id: int) -> Claim:
    """A claim of the user's organisation; any other claim does not exist for this user."""
    claim = (
        Claim.objects.select_related("request", "product")
        .filter(pk=claim_id, request__organisation_id=membership.organisation_id)
        .first()
    )
    if claim is None:
        raise Http404
    return claim
