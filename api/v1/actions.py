"""The API's writes: each binds the pages' own form and calls the pages' own service, so the
rules (the claim policy, the form checks, the upload checks) are the same everywhere."""

import json

from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from api.idempotency import idempotent
from api.problems import FormInvalid, field_error, form_errors
from api.v1 import serializers
from api.v1.views import CURSORS, FILTERS, PROBLEM, PROBLEMS, detail_data, request_list
from associations import policy, selectors, services
from associations.filing import RequestForms, check_now
from associations.forms import (
    ClaimRowFormSet,
    CommentForm,
    DisassociateForm,
    ProofForm,
    RequestForm,
)
from associations.policy import Action
from disputes import services as review_services
from disputes.forms import AnswerForm, DisputeForm
from partners.models import MpnId

WRITE_PROBLEMS = {
    **PROBLEMS,
    (403, PROBLEM): OpenApiResponse(serializers.Problem, description="A read token"),
    (409, PROBLEM): OpenApiResponse(serializers.Problem, description="Refused by the rules"),
    (422, PROBLEM): OpenApiResponse(serializers.Problem, description="Idempotency-Key reused"),
}
_SCALARS = (str, int, float, bool, type(None))
MAX_ROWS = 20


def _encodable(value) -> bool:
    """JSON may carry a lone surrogate ("\\ud800"), which no database column can store."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _body(request) -> dict:
    """The JSON object or the multipart fields, as the forms read them (one value a field)."""
    data = request.data
    if isinstance(data, QueryDict):
        return {key: data.get(key) for key in data if key not in request.FILES}
    if not isinstance(data, dict):
        raise field_error("body", _("Send a JSON object."))
    rows = data.get("claims") if isinstance(data.get("claims"), list) else []
    values = [(name, value) for name, value in data.items() if name != "claims"] + [
        ("claims", value) for row in rows if isinstance(row, dict) for value in row.values()
    ]
    for name, value in values:
        if isinstance(value, str) and not _encodable(value):
            raise field_error(name, _("The text holds a character that is not valid Unicode."))
    return data


def _scalar(body: dict, name: str):
    value = body.get(name)
    if not isinstance(value, _SCALARS):
        raise field_error(name, _("Send a single value."))
    if isinstance(value, bool) or value is None:
        return value
    return str(value)


def _rows(body: dict, current: list[dict]) -> list[dict]:
    rows = body.get("claims")
    if rows is None:
        return current
    if isinstance(rows, str):  # a multipart field holds the rows as JSON text
        try:
            rows = json.loads(rows)
        except (ValueError, RecursionError):  # RecursionError: nested past Python's limit
            raise field_error("claims", _("Send the claims as a JSON list.")) from None
    if (
        not isinstance(rows, list)
        or len(rows) > MAX_ROWS
        or not all(isinstance(row, dict) for row in rows)
    ):
        raise field_error("claims", _("Send at most 20 claims, each an object."))
    return rows


def _mpn_choice(organisation, value):
    """The form chooses an MPN ID by primary key; the API names it by its MPN ID."""
    if value in (None, ""):
        return ""
    if not (isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 7):
        return "unknown"  # no MPN ID: the form says it is not one of the organisation's
    pk = MpnId.objects.filter(organisation=organisation, mpn_id=value).values_list("pk", flat=True)
    return pk.first() or "unknown"


def _request_forms(request, *, instance=None, editable=None, submitting=False) -> RequestForms:
    organisation = request.membership.organisation
    body = _body(request)
    values = {}
    current_rows = []
    if instance is not None:
        values = {name: getattr(instance, name) for name in RequestForm._meta.fields}
        values["mpn"] = instance.mpn.mpn_id
        current_rows = [
            {"id": c.pk, "product": c.product_id, "subscription_id": str(c.subscription_id or "")}
            for c in editable
        ]
    names = [name for name in RequestForm._meta.fields if name != "mpn"]
    values.update({name: _scalar(body, name) for name in names if name in body})
    if "mpn_id" in body:
        values["mpn"] = _scalar(body, "mpn_id")
    values["mpn"] = _mpn_choice(organisation, values.get("mpn"))
    rows = _rows(body, current_rows)
    data = {
        **{name: value for name, value in values.items() if value is not None},
        "claims-TOTAL_FORMS": str(len(rows)),
        "claims-INITIAL_FORMS": "0",
    }
    for index, row in enumerate(rows):
        for name, field in (("id", "claim"), ("product", "product"), ("subscription_id", None)):
            value = _scalar(row, name)
            data[f"claims-{index}-{field or name}"] = "" if value is None else value
    locked = instance is not None and any(
        policy.locks_customer(s) for s in instance.claims.values_list("status", flat=True)
    )
    files = request.FILES if isinstance(request.data, QueryDict) else MultiValueDict()
    form = RequestForm(
        data, files, instance=instance, organisation=organisation, lock_customer=locked
    )
    form.submitting = submitting
    return RequestForms(form, ClaimRowFormSet(data, prefix="claims", editable_claims=editable))


def _errors(forms: RequestForms) -> dict:
    errors = form_errors(forms.form)
    for index, row in enumerate(forms.rows.forms):
        for name, messages in form_errors(row).items():
            errors[f"claims[{index}].{'id' if name == 'claim' else name}"] = messages
    if forms.rows.non_form_errors():
        errors["claims"] = forms.rows.non_form_errors().get_json_data()
    if "mpn" in errors:
        errors["mpn_id"] = errors.pop("mpn")
    return errors


def _submitting(request) -> bool:
    value = _body(request).get("submit", False)
    return value is True or value == "true"


def _detail(request, instance, code=status.HTTP_200_OK) -> Response:
    return Response(detail_data(request, instance), status=code)


def _editable(request, reference):
    instance = selectors.request_get_for_user(request.membership, reference, for_write=True)
    editable = selectors.claims_allowing(instance, Action.EDIT)
    if not editable.exists():
        raise policy.ActionRefused("not_editable")
    return instance, editable


@extend_schema(
    methods=["POST"],
    request={
        "application/json": serializers.RequestInput,
        "multipart/form-data": serializers.RequestInput,
    },
    responses={201: serializers.RequestDetail, **WRITE_PROBLEMS},
)
@extend_schema(
    methods=["GET"],
    operation_id="requests_list",
    parameters=FILTERS + CURSORS,
    responses={200: serializers.RequestPage, **PROBLEMS},
)
@api_view(["GET", "POST"])
@idempotent
def requests(request):
    """GET: the organisation's requests, newest first, in keyset pages (`older`, `newer`),
    with the list page's filters. POST: a new request, a draft, or submitted at once with
    `submit: true` (documents need a multipart body)."""
    if request.method == "GET":
        return request_list(request)
    submit = _submitting(request)
    forms = _request_forms(request, submitting=submit)
    if not forms.is_valid():
        raise FormInvalid(_errors(forms))
    created = services.request_create(
        actor=request.user,
        organisation=request.membership.organisation,
        fields=forms.form.request_fields,
        rows=forms.rows.rows,
        uploads=forms.form.cleaned_data["documents"],
        submit=submit,
    )
    return _detail(request, created, status.HTTP_201_CREATED)


def _update(request, reference, *, submit: bool) -> Response:
    instance, editable = _editable(request, reference)
    forms = _request_forms(request, instance=instance, editable=editable, submitting=submit)
    if not forms.is_valid():
        raise FormInvalid(_errors(forms))
    services.request_update(
        actor=request.user,
        request=instance,
        fields=forms.form.request_fields,
        rows=forms.rows.rows,
        uploads=forms.form.cleaned_data["documents"],
        submit=submit,
    )
    return _detail(request, instance)


@extend_schema(
    methods=["PATCH"],
    request=serializers.RequestInput,
    responses={200: serializers.RequestDetail, **WRITE_PROBLEMS},
)
@extend_schema(methods=["GET"], responses={200: serializers.RequestDetail, **PROBLEMS})
@extend_schema(methods=["DELETE"], responses={204: None, **WRITE_PROBLEMS})
@api_view(["GET", "PATCH", "DELETE"])
def request_item(request, reference):
    """GET: the request with its claims, failed checks, proofs, comments, timeline, deadlines
    and the actions each claim allows now. PATCH: change a draft or a request whose checks
    failed (the fields sent; `claims` replaces the editable claims; documents as multipart).
    DELETE: a draft, with its documents."""
    if request.method == "GET":
        return _detail(request, selectors.request_get_for_user(request.membership, reference))
    if request.method == "DELETE":
        instance = selectors.request_get_for_user(request.membership, reference, for_write=True)
        services.request_delete_draft(actor=request.user, request=instance)
        return Response(status=status.HTTP_204_NO_CONTENT)
    return _update(request, reference, submit=False)


@extend_schema(request=None, responses={200: serializers.RequestDetail, **WRITE_PROBLEMS})
@api_view(["POST"])
@idempotent
def request_submit(request, reference):
    """Submit a draft, or resubmit a request whose checks failed: the checks run again."""
    return _update(request, reference, submit=True)


def _preview(request, forms: RequestForms, instance=None) -> Response:
    preview = check_now(request.membership.organisation, forms, instance)
    if preview is None:
        raise FormInvalid(_errors(forms))
    return Response(
        serializers.CheckNow(
            {
                "failed_checks": preview["request_checks"],
                "warnings": preview["request_warnings"],
                "claims": preview["claim_previews"],
            }
        ).data
    )


@extend_schema(
    operation_id="requests_check_new",
    request=serializers.RequestInput,
    responses={200: serializers.CheckNow, **WRITE_PROBLEMS},
)
@api_view(["POST"])
@idempotent
def check_new(request):
    """ "Check now" on a request not saved yet: the verdict the checks would reach; nothing is
    saved."""
    return _preview(request, _request_forms(request))


@extend_schema(
    operation_id="requests_check",
    request=serializers.RequestInput,
    responses={200: serializers.CheckNow, **WRITE_PROBLEMS},
)
@api_view(["POST"])
@idempotent
def check_existing(request, reference):
    """ "Check now" on a draft or a request to fix, with the changes sent; nothing is saved."""
    instance, editable = _editable(request, reference)
    return _preview(
        request, _request_forms(request, instance=instance, editable=editable), instance
    )


def _form(form_class, request, **kwargs):
    """The page's form bound to the body; its confirmation box is the API call itself."""
    body = _body(request)
    data = {name: _scalar(body, name) for name in form_class.base_fields if name in body}
    data = {name: value for name, value in data.items() if value is not None}
    if "confirm" in form_class.base_fields:
        data["confirm"] = True
    files = request.FILES if isinstance(request.data, QueryDict) else MultiValueDict()
    form = form_class(data, files, **kwargs)
    if not form.is_valid():
        raise FormInvalid(form_errors(form))
    return form.cleaned_data


@extend_schema(
    request={"multipart/form-data": serializers.ProofInput},
    responses={201: serializers.RequestDetail, **WRITE_PROBLEMS},
)
@api_view(["POST"])
@idempotent
def proof_add(request, reference):
    """Newer proof for one claim past its checks: a description and documents (multipart,
    the pages' content and size rules)."""
    instance = selectors.request_get_for_user(request.membership, reference, for_write=True)
    data = _form(ProofForm, request, claims=selectors.claims_allowing(instance, Action.ADD_PROOF))
    services.proof_add(
        actor=request.user,
        request=instance,
        claim=data["claim"],
        description=data["description"],
        uploads=data["documents"],
    )
    return _detail(request, instance, status.HTTP_201_CREATED)


@extend_schema(request=None, responses={200: serializers.RequestDetail, **WRITE_PROBLEMS})
@api_view(["POST"])
@idempotent
def request_withdraw(request, reference):
    """Withdraw every claim of the request that has no decision yet."""
    instance = selectors.request_get_for_user(request.membership, reference, for_write=True)
    services.request_withdraw(actor=request.user, request=instance)
    return _detail(request, instance)


@extend_schema(
    request=serializers.CommentInput, responses={201: serializers.RequestDetail, **WRITE_PROBLEMS}
)
@api_view(["POST"])
@idempotent
def comment_add(request, reference):
    """A comment for the reviewers, once no checks are running."""
    instance = selectors.request_get_for_user(request.membership, reference, for_write=True)
    data = _form(CommentForm, request)
    services.comment_add(actor=request.user, request=instance, body=data["body"])
    return _detail(request, instance, status.HTTP_201_CREATED)


def _claim(request, reference, claim_id):
    instance = selectors.request_get_for_user(request.membership, reference, for_write=True)
    return instance, selectors.claim_of_request(instance, claim_id)


@extend_schema(
    request={
        "application/json": serializers.AnswerInput,
        "multipart/form-data": serializers.AnswerInput,
    },
    responses={200: serializers.RequestDetail, **WRITE_PROBLEMS},
)
@api_view(["POST"])
@idempotent
def information_answer(request, reference, claim_id):
    """Answer the reviewer's information request (documents optional, as multipart)."""
    instance, claim = _claim(request, reference, claim_id)
    data = _form(AnswerForm, request)
    review_services.information_answer(
        actor=request.user, claim=claim, answer=data["answer"], uploads=data["documents"]
    )
    return _detail(request, instance)


@extend_schema(
    request={"multipart/form-data": serializers.DisputeInput},
    responses={200: serializers.RequestDetail, **WRITE_PROBLEMS},
)
@api_view(["POST"])
@idempotent
def claim_dispute(request, reference, claim_id):
    """Dispute a rejection, once, within its window: a statement and new proof (multipart)."""
    instance, claim = _claim(request, reference, claim_id)
    data = _form(DisputeForm, request)
    review_services.claim_dispute(
        actor=request.user, claim=claim, statement=data["statement"], uploads=data["documents"]
    )
    return _detail(request, instance)


@extend_schema(
    request=serializers.DisassociateInput,
    responses={200: serializers.RequestDetail, **WRITE_PROBLEMS},
)
@api_view(["POST"])
@idempotent
def claim_disassociate(request, reference, claim_id):
    """End an approved association, saying why; the claim key is free again."""
    instance, claim = _claim(request, reference, claim_id)
    data = _form(DisassociateForm, request)
    services.claim_disassociate(actor=request.user, claim=claim, reason_text=data["reason"])
    return _detail(request, instance)
