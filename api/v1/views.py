"""The API's reads: every answer scoped to the token's organisation (`request.membership`),
through the selectors of the pages."""

import csv
import json

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from api.problems import FormInvalid, field_error, form_errors
from api.v1 import serializers
from associations import policy, selectors
from associations.audit import mpn_audit, organisation_mpn_rows
from associations.csv_export import EXPORT_HEADER, Echo, cell, export_rows
from associations.forms import RequestFilterForm
from associations.models import AssociationRequest
from associations.selectors import RequestFilters
from associations.uploads import document_response
from validation.models import Product

PROBLEM = "application/problem+json"
PROBLEMS = {
    (400, PROBLEM): OpenApiResponse(serializers.Problem, description="Invalid input"),
    (401, PROBLEM): OpenApiResponse(serializers.Problem, description="No live token"),
    (404, PROBLEM): OpenApiResponse(serializers.Problem, description="Not found"),
    (429, PROBLEM): OpenApiResponse(serializers.Problem, description="Rate limit reached"),
}
FILTERS = [
    OpenApiParameter("status", str, description="A claim status"),
    OpenApiParameter("area", str, description="A solution area"),
    OpenApiParameter("activity", str),
    OpenApiParameter("q", str, description="A reference, a tenant ID or a domain"),
    OpenApiParameter("mpn", str, description="An MPN ID"),
    OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
]
CURSORS = [
    OpenApiParameter("before", str, description="The `older` cursor of the previous answer"),
    OpenApiParameter("after", str, description="The `newer` cursor"),
]


def _filters(request) -> RequestFilters:
    """The list page's filters; unlike the page (which ignores them), an invalid one is 400."""
    form = RequestFilterForm(request.query_params)
    if not form.is_valid():
        raise FormInvalid(form_errors(form))
    return form.filters()


def _cursor(request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    pk = AssociationRequest.pk_from_reference(value)
    if pk is None:
        raise field_error(name, _("Not a cursor of this list."))
    return pk


def _page_url(request, name: str, pk: int | None) -> str | None:
    if pk is None:
        return None
    query = request.query_params.copy()
    query.pop("before", None)
    query.pop("after", None)
    query[name] = str(pk)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


@extend_schema(responses=serializers.Me, tags=["organisation"])
@api_view(["GET"])
def me(request):
    """The token's organisation, name and scope: the first call to try."""
    token = request.auth
    return Response(
        {
            "organisation": token.organisation.name,
            "token": token.name,
            "scope": token.scope,
            "expires_at": token.expires_at,
        }
    )


def request_list(request) -> Response:
    """The organisation's requests, newest first, in keyset pages (`older`, `newer`)."""
    page = selectors.request_page(
        request.membership,
        _filters(request),
        before=_cursor(request, "before"),
        after=_cursor(request, "after"),
    )
    return Response(
        serializers.RequestPage(
            {
                "results": page.rows,
                "older": _page_url(request, "before", page.older),
                "newer": _page_url(request, "after", page.newer),
            }
        ).data
    )


def detail_data(request, instance: AssociationRequest) -> dict:
    """A request as the detail endpoint shows it, also the answer of every write."""
    instance = selectors.request_detail(instance)
    actions = policy.request_actions(
        instance.claim_list,
        now=timezone.now(),
        membership=request.membership,
        disputed=instance.disputed_claims,
    )
    return serializers.RequestDetail(instance, context={"actions": actions}).data


@extend_schema(responses={200: serializers.ProductOut(many=True), **PROBLEMS})
@api_view(["GET"])
def product_list(request):
    """The catalog: the products and workloads a claim names by id."""
    return Response(serializers.ProductOut(Product.objects.all(), many=True).data)


@extend_schema(
    responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **PROBLEMS},
)
@api_view(["GET"])
def document_download(request, reference, document_id):
    """A proof document of the request, as it was uploaded."""
    instance = selectors.request_get_for_user(request.membership, reference)
    document = selectors.document_get(instance, document_id)
    return document_response(document, "application/octet-stream")


@extend_schema(responses={200: serializers.MpnOut(many=True), **PROBLEMS})
@api_view(["GET"])
def mpn_list(request):
    """The organisation's MPN IDs with their incentive program enrolments."""
    rows = organisation_mpn_rows(request.membership).values()
    return Response(serializers.MpnOut([row.mpn for row in rows], many=True).data)


@extend_schema(parameters=FILTERS[5:], responses={200: serializers.AuditOut, **PROBLEMS})
@api_view(["GET"])
def audit(request):
    """The MPN audit's counts: claims per MPN ID by status, area and activity, and customers
    filed under several MPN IDs."""
    filters = _filters(request)
    result = mpn_audit(request.membership, date_from=filters.date_from, date_to=filters.date_to)
    return Response(
        serializers.AuditOut(
            {
                "total": result.total,
                "rows": result.rows,
                "shared_customers": result.shared_customers,
                "shared_customer_count": result.shared_customer_count,
            }
        ).data
    )


def _csv(rows):
    writer = csv.writer(Echo())
    return (writer.writerow([cell(value) for value in row]) for row in rows)


def _ndjson(rows):
    next(rows)  # the header: each line names its fields
    return (
        json.dumps(dict(zip(EXPORT_HEADER, row, strict=True)), default=str) + "\n" for row in rows
    )


EXPORT_FORMATS = {
    "csv": (_csv, "text/csv; charset=utf-8"),
    "ndjson": (_ndjson, "application/x-ndjson"),
}


@extend_schema(
    parameters=[
        *FILTERS,
        OpenApiParameter(
            "format", str, enum=list(EXPORT_FORMATS), description="csv (default) or ndjson"
        ),
    ],
    responses={
        (200, "text/csv"): OpenApiTypes.STR,
        (200, "application/x-ndjson"): OpenApiTypes.STR,
        **PROBLEMS,
    },
)
@api_view(["GET"])
def claims_export(request):
    """Every claim matching the filters, streamed: as CSV (the page's export) or NDJSON."""
    kind = request.query_params.get("format", "csv")
    if kind not in EXPORT_FORMATS:
        raise field_error("format", _("Choose csv or ndjson."), "invalid_choice")
    encode, content_type = EXPORT_FORMATS[kind]
    claims = selectors.claims_for_export(request.membership, _filters(request))
    return StreamingHttpResponse(encode(export_rows(claims)), content_type=content_type)
