import csv

from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from associations import policy, prefill, selectors, services
from associations.csv_export import Echo, cell, export_rows
from associations.filing import RequestForms, check_now
from associations.forms import (
    ClaimRowFormSet,
    CommentForm,
    DisassociateForm,
    ProofForm,
    RequestFilterForm,
    RequestForm,
    WithdrawForm,
)
from associations.models import AssociationRequest, Claim, ClaimStatus
from associations.policy import Action
from associations.proof_template import docx_document, pdf_document
from associations.uploads import ACCEPTED, document_response
from associations.verdict import warnings
from core.errors import DomainError
from core.fragments import Viewer
from partners.access import cpor_member_required
from partners.catalog import Activity, SolutionArea
from validation.errors import CHECKS, WARNINGS

NEW_ROWS = 3
TEMPLATE_KINDS = {"docx": (docx_document, ".docx"), "pdf": (pdf_document, ".pdf")}


def _filters(request) -> selectors.RequestFilters:
    return RequestFilterForm.filters_of(request.GET)


def _int_param(request, name: str) -> int | None:
    """A keyset cursor (a request id); anything else is ignored."""
    return AssociationRequest.pk_from_reference(request.GET.get(name, ""))


@cpor_member_required
def dashboard(request):
    return render(
        request,
        "associations/dashboard.html",
        {
            "organisation": request.membership.organisation,
            "counts": selectors.claim_counts(request.membership),
            "recent": selectors.request_page(
                request.membership, selectors.RequestFilters(), size=5
            ),
        },
    )


@cpor_member_required
def request_list(request):
    filters = _filters(request)
    page = selectors.request_page(
        request.membership,
        filters,
        before=_int_param(request, "before"),
        after=_int_param(request, "after"),
    )
    query = request.GET.copy()
    for name in ("before", "after"):
        query.pop(name, None)
    query = query.urlencode()
    viewer = Viewer.of(request.user, request.membership)
    return render(
        request,
        "associations/request_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "fragment_keys": {
                "filters": viewer.request_filters(query),
                "rows": viewer.request_rows(page, query),
            },
            "statuses": ClaimStatus.choices,
            "areas": SolutionArea.choices,
            "activities": Activity.choices,
        },
    )


@cpor_member_required
def request_export(request):
    claims = selectors.claims_for_export(request.membership, _filters(request))
    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        (writer.writerow([cell(value) for value in row]) for row in export_rows(claims)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="cpor-requests-{stamp}.csv"'
    return response


def _bind(
    request, *, instance=None, lock_customer=False, editable=None, initial_rows=None, initial=None
):
    action = request.POST.get("action", "")
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = RequestForm(
        data,
        files,
        instance=instance,
        initial=initial,
        organisation=request.membership.organisation,
        lock_customer=lock_customer,
    )
    form.submitting = action == "submit"
    rows = ClaimRowFormSet(data, prefix="claims", initial=initial_rows, editable_claims=editable)
    rows.extra = NEW_ROWS if instance is None else 1
    return RequestForms(form, rows), action


def _render_form(
    request, forms: RequestForms, *, instance=None, preview=None, followed=None, status=200
):
    """The form again, its errors summed up at the top ({% error_summary %}), a refused file
    by name and reason, and that chosen files must be chosen again."""
    return render(
        request,
        "associations/request_form.html",
        {
            "form": forms.form,
            "rows": forms.rows,
            "instance": instance,
            "preview": preview,
            "followed": followed,
            "activity_guide": RequestForm.activity_guide(),
        },
        status=status,
    )


@cpor_member_required(write=True)
@require_http_methods(["GET", "POST"])
def request_create(request):
    followed, initial, initial_rows = _follow_up(request)
    forms, action = _bind(request, initial=initial, initial_rows=initial_rows)
    if request.method == "GET":
        return _render_form(request, forms, followed=followed)
    if action == "check":
        preview = check_now(request.membership.organisation, forms)
        return _render_form(
            request, forms, preview=preview, followed=followed, status=200 if preview else 400
        )
    if not forms.is_valid():
        return _render_form(request, forms, followed=followed, status=400)
    try:
        created = services.request_create(
            actor=request.user,
            organisation=request.membership.organisation,
            fields=forms.form.request_fields,
            rows=forms.rows.rows,
            uploads=forms.form.cleaned_data["documents"],
            submit=action == "submit",
        )
    except DomainError as error:
        forms.form.add_error(None, error.message)
        return _render_form(request, forms, status=400)
    if action == "submit":
        messages.success(
            request, _("Submitted. The checks are running; this page updates by itself.")
        )
    else:
        messages.success(request, _("Saved as a draft. Submit it when it is complete."))
    return redirect("request_detail", reference=created.reference)


def _follow_up(request) -> tuple[Claim | None, dict | None, list | None]:
    """ "Claim the new subscription": the ended claim, and a new request pre-filled from it."""
    claim_id = AssociationRequest.pk_from_reference(request.GET.get("follow", ""))
    if claim_id is None:
        return None, None, None
    claim = selectors.claim_get_for_user(request.membership, claim_id)
    previous = claim.request
    names = [name for name in RequestForm._meta.fields if not name.startswith("ack_")]
    initial = {name: getattr(previous, name) for name in names}
    initial["mpn"] = previous.mpn_id
    initial["claim_name"] = _("%(name)s (new subscription)") % {"name": previous.claim_name}
    return claim, initial, [{"product": claim.product_id}]


@cpor_member_required
@require_http_methods(["GET", "POST"])
def request_edit(request, reference):
    instance = selectors.request_get_for_user(request.membership, reference, for_write=True)
    editable = selectors.claims_allowing(instance, Action.EDIT)
    if not editable.exists():
        messages.error(request, policy.ActionRefused("not_editable").message)
        return redirect("request_detail", reference=reference)
    locked = any(
        policy.locks_customer(status) for status in instance.claims.values_list("status", flat=True)
    )
    initial_rows = [
        {
            "claim": claim.pk,
            "product": claim.product_id,
            "subscription_id": claim.subscription_id or "",
        }
        for claim in editable
    ]
    forms, action = _bind(
        request,
        instance=instance,
        lock_customer=locked,
        editable=editable,
        initial_rows=initial_rows,
    )
    if request.method == "GET":
        return _render_form(request, forms, instance=instance)
    if action == "check":
        preview = check_now(request.membership.organisation, forms, instance)
        return _render_form(
            request, forms, instance=instance, preview=preview, status=200 if preview else 400
        )
    if not forms.is_valid():
        return _render_form(request, forms, instance=instance, status=400)
    try:
        services.request_update(
            actor=request.user,
            request=instance,
            fields=forms.form.request_fields,
            rows=forms.rows.rows,
            uploads=forms.form.cleaned_data["documents"],
            submit=action == "submit",
        )
    except DomainError as error:
        forms.form.add_error(None, error.message)
        return _render_form(request, forms, instance=instance, status=400)
    messages.success(
        request,
        _("Resubmitted. The checks run again.") if action == "submit" else _("Draft saved."),
    )
    return redirect("request_detail", reference=reference)


@cpor_member_required
@require_safe
def request_detail(request, reference):
    instance = selectors.request_detail(
        selectors.request_get_for_user(request.membership, reference)
    )
    now = timezone.now()
    actions = policy.request_actions(
        instance.claim_list,
        now=now,
        membership=request.membership,
        disputed=instance.disputed_claims,
    )
    live = [claim for claim in instance.claim_list if policy.shows_warnings(claim.status)]
    tenant_known = not any(r.code == "tenant_not_found" for r in instance.request_checks)
    request_warnings, warned = (
        warnings(instance, live, tenant_known=tenant_known) if live else ([], {})
    )
    return render(
        request,
        "associations/request_detail.html",
        {
            "req": instance,
            "checks": CHECKS,
            "actions": actions,
            "request_warnings": [WARNINGS[code] for code in request_warnings],
            "claim_rows": [
                (
                    claim,
                    actions.claims[claim.pk],
                    [WARNINGS[code] for code in warned.get(id(claim), ())],
                )
                for claim in instance.claim_list
            ],
            "now": now,
            # The proof template lists the live claims: none, no template.
            "template_offered": not all(policy.is_final(c.status) for c in instance.claim_list),
        },
    )


@cpor_member_required
@require_http_methods(["GET", "POST"])
def request_withdraw(request, reference):
    instance = selectors.request_get_for_user(request.membership, reference, for_write=True)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_withdraw(actor=request.user, request=instance)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The request was withdrawn."))
        return redirect("request_detail", reference=reference)
    return render(request, "associations/confirm_withdraw.html", {"req": instance, "form": form})


@cpor_member_required
@require_http_methods(["GET", "POST"])
def request_delete(request, reference):
    instance = selectors.request_get_for_user(request.membership, reference, for_write=True)
    if request.method == "POST":
        try:
            services.request_delete_draft(actor=request.user, request=instance)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("request_detail", reference=reference)
        messages.success(
            request, _("The draft %(reference)s was deleted.") % {"reference": reference}
        )
        return redirect("request_list")
    return render(request, "associations/confirm_delete.html", {"req": instance})


@cpor_member_required
@require_POST
def request_comment(request, reference):
    instance = selectors.request_get_for_user(request.membership, reference, for_write=True)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.comment_add(actor=request.user, request=instance, body=form.cleaned_data["body"])
        messages.success(request, _("Comment added."))
    else:
        messages.error(request, _("Write a comment first (at most 5,000 characters)."))
    return redirect(reverse("request_detail", kwargs={"reference": reference}) + "#comments")


@cpor_member_required
@require_http_methods(["GET", "POST"])
def proof_add(request, reference):
    instance = selectors.request_get_for_user(request.membership, reference, for_write=True)
    form = ProofForm(
        request.POST or None,
        request.FILES or None,
        claims=selectors.claims_allowing(instance, Action.ADD_PROOF),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.proof_add(
                actor=request.user,
                request=instance,
                claim=form.cleaned_data["claim"],
                description=form.cleaned_data["description"],
                uploads=form.cleaned_data["documents"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Newer proof added; reviewers weigh the most recent."))
            return redirect("request_detail", reference=reference)
    return render(
        request,
        "associations/proof_form.html",
        {"req": instance, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@cpor_member_required
@require_safe
def proof_template(request, reference, kind):
    """The request's proof template, pre-filled, in the reader's language, for the customer to
    sign: a Word document to complete, or a PDF to print. Every CPOR role may download it
    (DESIGN.md section 8: a Billing admin gets the template, not the filing)."""
    render_document, suffix = TEMPLATE_KINDS.get(kind, (None, ""))
    if render_document is None:
        raise Http404
    instance = selectors.request_get_for_user(request.membership, reference)
    if not prefill.live_claims(instance).exists():
        raise Http404  # nothing left to claim: a template would list no product
    response = HttpResponse(
        render_document(prefill.template_content(instance)),
        content_type=ACCEPTED[suffix][0],
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"{reference}-proof-template{suffix}"
    )
    return response


@cpor_member_required
@require_safe
def document_download(request, reference, document_id):
    instance = selectors.request_get_for_user(request.membership, reference)
    document = selectors.document_get(instance, document_id)
    return document_response(document)


@cpor_member_required
@require_http_methods(["GET", "POST"])
def claim_disassociate(request, reference, claim_id):
    instance = selectors.request_get_for_user(request.membership, reference, for_write=True)
    claim = selectors.claim_of_request(instance, claim_id)
    form = DisassociateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_disassociate(
                actor=request.user, claim=claim, reason_text=form.cleaned_data["reason"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The association has ended."))
        return redirect("request_detail", reference=reference)
    return render(
        request,
        "associations/confirm_disassociate.html",
        {"req": instance, "claim": claim, "form": form},
        status=400 if request.method == "POST" else 200,
    )
