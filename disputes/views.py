"""Partner pages of review and arbitration, and the customer's decline page."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from associations import policy
from associations.models import Claim
from associations.policy import Action
from associations.selectors import request_get_for_user
from core.deadlines import days
from core.errors import DomainError
from disputes import services
from disputes.consent import claim_id_from_token
from disputes.errors import ReviewError
from disputes.forms import AnswerForm, DisputeForm
from disputes.models import Dispute
from partners.access import cpor_member_required


def _claim(request, reference, claim_id, action: Action):
    """A claim of the user's organisation that allows `action` (else None, with the reason as
    a message); 404 for a claim of anybody else."""
    association = request_get_for_user(request.membership, reference, for_write=True)
    claim = association.claims.select_related("product").filter(pk=claim_id).first()
    if claim is None:
        raise Http404
    disputed = action == Action.DISPUTE and Dispute.objects.filter(claim=claim).exists()
    code = policy.refusal(claim, action, now=timezone.now(), disputed_before=disputed)
    if code is not None:
        messages.error(request, policy.ActionRefused(code).message)
        return association, None
    return association, claim


@cpor_member_required
@require_http_methods(["GET", "POST"])
def information_answer(request, reference, claim_id):
    association, claim = _claim(request, reference, claim_id, Action.ANSWER)
    if claim is None:
        return redirect("request_detail", reference=reference)
    question = claim.information_requests.filter(answered_at__isnull=True).first()
    form = AnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.information_answer(
                actor=request.user,
                claim=claim,
                answer=form.cleaned_data["answer"],
                uploads=form.cleaned_data["documents"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Answer sent; the claim is back with the reviewer."))
        return redirect("request_detail", reference=reference)
    return render(
        request,
        "disputes/answer.html",
        {"req": association, "claim": claim, "question": question, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@cpor_member_required
@require_http_methods(["GET", "POST"])
def claim_dispute(request, reference, claim_id):
    association, claim = _claim(request, reference, claim_id, Action.DISPUTE)
    if claim is None:
        return redirect("request_detail", reference=reference)
    form = DisputeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_dispute(
                actor=request.user,
                claim=claim,
                statement=form.cleaned_data["statement"],
                uploads=form.cleaned_data["documents"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            answer_days = days("dispute_answer_business_days")
            messages.success(
                request,
                ngettext(
                    "Dispute filed; a reviewer answers within %(days)d business day.",
                    "Dispute filed; a reviewer answers within %(days)d business days.",
                    answer_days,
                )
                % {"days": answer_days},
            )
        return redirect("request_detail", reference=reference)
    return render(
        request,
        "disputes/dispute.html",
        {
            "req": association,
            "claim": claim,
            "form": form,
            "until": policy.dispute_until(claim),
            "answer_days": days("dispute_answer_business_days"),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def customer_consent(request, token):
    """No login: the signed link is the customer's contact's only key."""
    try:
        claim_id = claim_id_from_token(token)
    except ReviewError as error:
        return render(request, "disputes/consent_invalid.html", {"error": error}, status=400)
    claim = get_object_or_404(
        Claim.objects.select_related("request__organisation", "product"), pk=claim_id
    )
    declined = False
    if request.method == "POST":
        try:
            services.claim_customer_decline(claim=claim)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            declined = True
        claim.refresh_from_db()
    return render(
        request,
        "disputes/consent.html",
        {
            "claim": claim,
            "declined": declined,
            "approved": policy.refusal(claim, Action.DECLINE, now=timezone.now()) is None,
        },
    )
