"""The reviewers' side: a queue of claims and arbitration cases, and one page per decision.

Reviewers read everything but edit nothing directly: every decision goes through a service
function from a small form on the claim's or the case's page, so it is locked, recorded in the
timeline and told to the partner.
"""

from datetime import UTC, datetime

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Count, F, OuterRef, Subquery
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from associations import policy
from associations.admin import ReadOnlyAdmin, request_reference
from associations.models import ClaimStatus, ProofDocument
from associations.policy import REVIEW_QUEUE_STATUSES, Action
from associations.templatetags.cpor import reveal_hidden
from associations.uploads import document_response
from core.deadlines import days
from core.errors import DomainError
from disputes import services
from disputes.forms import (
    ApproveForm,
    AssignForm,
    DecideForm,
    DisputeAnswerForm,
    InformationForm,
    RejectForm,
    ResponseTemplateForm,
    SendBackForm,
)
from disputes.models import (
    ArbitrationCase,
    Dispute,
    InformationRequest,
    Proposal,
    ResponseTemplate,
    ResponseTemplateRevision,
    ReviewClaim,
)
from disputes.responses import PLACEHOLDERS, Kind, offered
from disputes.selectors import QUEUES, claims_for_review, open_case, open_proposal, queue_condition

DECIDE = "disputes.decide_case"
ASSIGN = "disputes.assign"


def _overdue(due_at) -> str:
    if due_at is None:
        return "—"
    label = formats.date_format(timezone.localtime(due_at), "DATETIME_FORMAT")
    if due_at < timezone.now():
        return format_html(
            '<strong class="cpor-overdue" data-overdue="true">{} ⚠ {}</strong>',
            label,
            _("overdue"),
        )
    return label


def _pk(object_id: str) -> int:
    """An admin URL's object id; anything but a number (a NUL byte, a word) is no object."""
    if not object_id.isascii() or not object_id.isdigit() or len(object_id) > 18:
        raise Http404
    return int(object_id)


def _open_dispute(claim):
    dispute = Dispute.objects.filter(claim=claim, answered_at__isnull=True).first()
    if dispute is None:
        raise policy.ActionRefused("wrong_status")
    return dispute


def _question_sent() -> str:
    answer_days = days("information_business_days")
    return ngettext(
        "Question sent; the partner has %(days)d business day to answer.",
        "Question sent; the partner has %(days)d business days to answer.",
        answer_days,
    ) % {"days": answer_days}


def _act(request, action, success: str):
    """Run one decision; a domain error becomes a message instead of a 500."""
    if not request.user.has_perm(DECIDE):
        raise PermissionDenied
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


def work_actions(user, holder) -> dict[str, bool]:
    """What a reviewer may do with a piece of work `holder` holds (None: nobody): take it
    (over), release it (their own, or anyone's with `disputes.assign`), assign it to another.
    The page shows these buttons and the work view refuses the rest with 403."""
    decides = user.has_perm(DECIDE)
    assigns = decides and user.has_perm(ASSIGN)
    return {
        "take": decides and holder != user,
        "release": decides and holder is not None and (holder == user or assigns),
        "assign": assigns,
    }


def _work_context(request, item) -> dict:
    allowed = work_actions(request.user, item.assignee)
    return {
        "work": allowed,
        "assign_form": AssignForm(prefix="assign") if allowed["assign"] else None,
    }


def may_confirm(user, proposal) -> bool:
    """Four eyes: any reviewer who may decide confirms or sends back a proposal, except its
    proposer (the service refuses them too)."""
    return user.has_perm(DECIDE) and proposal.proposed_by_id != user.pk


def _proposal_context(request, proposal) -> dict:
    """The open proposal; its confirmation forms for a reviewer other than its proposer."""
    if proposal is None:
        return {"proposal": None}
    can_confirm = may_confirm(request.user, proposal)
    return {
        "proposal": proposal,
        "can_confirm": can_confirm,
        "send_back_form": SendBackForm(prefix="send_back") if can_confirm else None,
    }


def _proposal_page(proposal) -> str:
    """Where a proposal is confirmed: its case's page, or its disputed claim's."""
    if proposal.case_id:
        return reverse("admin:disputes_case", args=[proposal.case_id])
    return reverse("admin:disputes_review", args=[proposal.dispute.claim_id])


def _work(request, item, *, assign, back: str):
    """Take, release or assign `item` (a claim or a case) through `assign`, the service. Work
    another reviewer holds is only taken over, released or passed on after a confirmation
    page that names them, confirmed for that holder (a change in between asks again)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    work = request.POST.get("work")
    if work not in {"take", "release", "assign"}:
        raise BadRequest("no such work action")
    holder = item.assignee
    if not work_actions(request.user, holder)[work]:
        raise PermissionDenied
    assignee = {"take": request.user, "release": None}.get(work)
    if work == "assign":
        form = AssignForm(request.POST, prefix="assign")
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["assignee"]))
            return redirect(back)
        assignee = form.cleaned_data["assignee"]
    others = holder is not None and holder not in (request.user, assignee)
    if others and request.POST.get("confirm") != str(holder.pk):
        return render(
            request,
            "admin/disputes/take_over.html",
            {
                **admin.site.each_context(request),
                "title": _("%(holder)s holds %(item)s") % {"holder": holder, "item": item},
                "holder": holder,
                "assignee": assignee,
                "item": item,
                "work_action": work,
                "back": back,
            },
        )
    try:
        assign(actor=request.user, assignee=assignee, holder_seen=holder)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _work_done(assignee, request.user))
    return redirect(back)


def _work_done(assignee, user) -> str:
    if assignee is None:
        return gettext("Released: it is back among the unassigned work.")
    if assignee == user:
        return gettext("You hold it now; the other reviewers see it taken.")
    return gettext("Assigned to %(name)s.") % {"name": assignee}


def _seen(data, claims) -> dict:
    """Each claim's last change as the confirmation page showed it; a claim whose value is
    missing or garbled was not seen, and is skipped as changed."""
    seen = {}
    for claim in claims:
        try:
            moment = parse_datetime(data.get(f"seen-{claim.pk}", ""))
        except ValueError:  # well formed but impossible, as 2024-99-99T00:00
            moment = None
        seen[claim.pk] = moment if moment is not None else datetime.min.replace(tzinfo=UTC)
    return seen


class QueueFilter(admin.SimpleListFilter):
    """The review team's queues (selectors.QUEUES): my work, unassigned, overdue, due soon."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return list(QUEUES.items())

    def queryset(self, request, queryset):
        if self.value() in QUEUES:
            return queryset.filter(
                queue_condition(self.value(), user=request.user, now=timezone.now())
            )
        return queryset


class CaseQueueFilter(QueueFilter):
    """The queues of the open cases (a decided case waits for nobody)."""

    def queryset(self, request, queryset):
        if self.value() in QUEUES:
            queryset = queryset.filter(status=ArbitrationCase.Status.OPEN)
        return super().queryset(request, queryset)


class QueueStatusFilter(admin.SimpleListFilter):
    """The queue's statuses, the whole queue when none is chosen. It is the queue's only status
    condition: `status IN (queue) AND status = ?` makes PostgreSQL expect a handful of rows and
    sort them all instead of reading `claim_review_queue_status` in order."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(status, ClaimStatus(status).label) for status in REVIEW_QUEUE_STATUSES]

    def queryset(self, request, queryset):
        if self.value() in REVIEW_QUEUE_STATUSES:
            return queryset.filter(status=self.value())
        return queryset.filter(status__in=REVIEW_QUEUE_STATUSES)


@admin.register(ReviewClaim)
class ReviewClaimAdmin(ReadOnlyAdmin):
    list_display = [request_reference, "organisation", "product", "status", "due", "assignee"]
    # Oldest deadline first (the admin would otherwise put the model's ordering in front).
    ordering = [F("due_at").asc(nulls_last=True), "pk"]
    # Decisions are taken on the claim's page; only plain approvals go in bulk, each through
    # the same service, and only of claims unchanged since the reviewer confirmed the list.
    actions = ["approve_selected"]
    list_filter = [QueueFilter, QueueStatusFilter, "product__solution_area", "activity"]
    search_fields = [
        "=request__id",
        "organisation__name",
        "=tenant_id",
        "=subscription_id",
    ]
    list_select_related = ["organisation", "product", "assignee"]

    @admin.display(description=_("decision due"), ordering="due_at")
    def due(self, obj):
        return _overdue(obj.due_at)

    def action_checkbox(self, obj):
        """Django's own checkbox, written out: its widget renders a template for each of the
        queue's rows, a fifth of the page's time."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )

    def has_decide_permission(self, request) -> bool:
        return request.user.has_perm(DECIDE)

    @admin.action(permissions=["decide"], description=_("Approve the selected claims"))
    def approve_selected(self, request, queryset):
        """A confirmation page listing what would be approved and what not, with one note; on
        confirmation each listed claim is approved if it is still as the page showed it."""
        now = timezone.now()
        claims = list(queryset.select_related("request__organisation", "product").order_by("pk"))
        approvable = [c for c in claims if policy.refusal(c, Action.APPROVE, now=now) is None]
        form = ApproveForm(request.POST if "confirm" in request.POST else None, prefix="approve")
        if form.is_bound and form.is_valid():
            # What the page listed, and what became approvable since (not seen: skipped).
            listed = [c for c in claims if f"seen-{c.pk}" in request.POST or c in approvable]
            approved, skipped = services.claims_approve_as_seen(
                actor=request.user,
                seen=_seen(request.POST, listed),
                note=form.cleaned_data["note"],
            )
            count = len(approved)
            messages.success(
                request,
                ngettext(
                    "%(count)d claim approved; its partner and customer are told.",
                    "%(count)d claims approved; their partners and customers are told.",
                    count,
                )
                % {"count": count},
            )
            for claim, reason in skipped:
                messages.warning(request, f"{claim}: {reason}")
            return None
        return render(
            request,
            "admin/disputes/approve_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Approve the selected claims"),
                "opts": self.model._meta,
                "approvable": approvable,
                "refused": [c for c in claims if c not in approvable],
                "form": form,
                "selected": [c.pk for c in claims],
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name="disputes_review",
            ),
            path(
                "<int:pk>/work/",
                self.admin_site.admin_view(self.work_view),
                name="disputes_claim_work",
            ),
            path(
                "proposal/<int:pk>/",
                self.admin_site.admin_view(self.proposal_view),
                name="disputes_proposal",
            ),
            path(
                "document/<int:pk>/",
                self.admin_site.admin_view(self.document_view),
                name="disputes_document",
            ),
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return redirect("admin:disputes_review", pk=_pk(object_id))

    def work_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        claim = get_object_or_404(ReviewClaim.objects.select_related("assignee"), pk=pk)
        return _work(
            request,
            claim,
            assign=lambda **kwargs: services.claim_assign(claim=claim, **kwargs),
            back=reverse("admin:disputes_review", args=[pk]),
        )

    def proposal_view(self, request, pk):
        """A second reviewer confirms a proposed decision or sends it back; never its
        proposer (403)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        proposal = get_object_or_404(Proposal.objects.select_related("dispute"), pk=pk)
        if not may_confirm(request.user, proposal):
            raise PermissionDenied
        back = _proposal_page(proposal)
        action = request.POST.get("action")
        if action == "confirm":
            _act(
                request,
                lambda: services.proposal_confirm(actor=request.user, proposal=proposal),
                _("Confirmed: the decision is taken and every party is told the outcome."),
            )
        elif action == "send_back":
            form = SendBackForm(request.POST, prefix="send_back")
            if form.is_valid():
                _act(
                    request,
                    lambda: services.proposal_send_back(
                        actor=request.user, proposal=proposal, note=form.cleaned_data["note"]
                    ),
                    _("Sent back to the proposer with your note; nothing is decided."),
                )
            else:
                messages.error(request, " ".join(form.errors["note"]))
        else:
            raise BadRequest("no such proposal action")
        return redirect(back)

    def document_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        document = get_object_or_404(ProofDocument, pk=pk)
        return document_response(document)

    def review_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        claim = get_object_or_404(
            ReviewClaim.objects.select_related("request", "product", "assignee"), pk=pk
        )
        post = request.POST if request.method == "POST" else None
        action = request.POST.get("action")
        forms = {
            "approve": ApproveForm(post if action == "approve" else None, prefix="approve"),
            "reject": RejectForm(post if action == "reject" else None, prefix="reject"),
            "information": InformationForm(
                post if action == "information" else None, prefix="information", claims=[claim]
            ),
            "dispute": DisputeAnswerForm(post if action == "dispute" else None, prefix="dispute"),
        }
        valid = request.method == "POST" and action in forms and forms[action].is_valid()
        if valid and self._decide(request, claim, action, forms[action].cleaned_data):
            return redirect("admin:disputes_review", pk=pk)
        now = timezone.now()
        case = open_case(claim)
        reviewed = claims_for_review([claim.pk])[0]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Review %(reference)s") % {"reference": claim.request.reference},
            "claim": reviewed,
            "forms": forms,
            "case": case,
            "actions": policy.claim_actions(
                claim, now=now, can_decide=request.user.has_perm(DECIDE)
            ),
            "opts": self.model._meta,
            "events": claim.request.events.select_related("actor", "claim__product"),
            "responses": offered(
                [Kind.INFORMATION, Kind.REJECTION, Kind.DISPUTE_ANSWER], [reviewed], now=now
            ),
            "item": claim,
            "work_url": reverse("admin:disputes_claim_work", args=[pk]),
            **_proposal_context(request, open_proposal(claim=claim)),
            **_work_context(request, claim),
        }
        return render(request, "admin/disputes/review.html", context)

    def _decide(self, request, claim, action, data) -> bool:
        user = request.user
        if action == "approve":
            return _act(
                request,
                lambda: services.claim_approve(actor=user, claim=claim, note=data["note"]),
                _("Approved; the partner and the customer's contact are told."),
            )
        if action == "reject":
            return _act(
                request,
                lambda: services.claim_reject(
                    actor=user, claim=claim, reason=data["reason"], note=data["note"]
                ),
                _("Rejected; the partner is told and may dispute once."),
            )
        if action == "information":
            return _act(
                request,
                lambda: services.claim_request_information(
                    actor=user, claim=claim, reason=data["reason"], question=data["question"]
                ),
                _question_sent(),
            )
        approving = data["decision"] == "approve"
        if approving and policy.needs_second_reviewer(winner=claim):
            return _act(
                request,
                lambda: services.dispute_propose(
                    actor=user, dispute=_open_dispute(claim), rationale=data["rationale"]
                ),
                _("Approval proposed; a second reviewer must confirm it."),
            )
        return _act(
            request,
            lambda: services.dispute_answer(
                actor=user,
                dispute=_open_dispute(claim),
                approve=approving,
                rationale=data["rationale"],
            ),
            _("Dispute answered."),
        )


@admin.register(ArbitrationCase)
class ArbitrationCaseAdmin(ReadOnlyAdmin):
    ordering = ["-status", "due_at", "-id"]  # open cases first, the oldest deadline first
    actions = None
    list_display = [
        "__str__",
        "product",
        "activity",
        "tenant_id",
        "status",
        "parties",
        "due",
        "working_with_owner",
        "assignee",
    ]
    list_filter = [CaseQueueFilter, "status", "working_with_owner", "activity"]
    search_fields = ["=tenant_id", "=subscription_id", "claims__request__organisation__name"]
    list_select_related = ["product", "assignee"]

    def get_queryset(self, request):
        # A correlated count runs for the shown page only, not for every case.
        parties = (
            ArbitrationCase.claims.through.objects.filter(arbitrationcase_id=OuterRef("pk"))
            .order_by()
            .values("arbitrationcase_id")
            .annotate(n=Count("*"))
            .values("n")
        )
        return super().get_queryset(request).annotate(party_count=Subquery(parties))

    @admin.display(description=_("parties"), ordering="party_count")
    def parties(self, obj):
        return obj.party_count

    @admin.display(description=_("decision due"), ordering="due_at")
    def due(self, obj):
        return _overdue(obj.due_at) if obj.is_open else "—"

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/arbitrate/",
                self.admin_site.admin_view(self.case_view),
                name="disputes_case",
            ),
            path(
                "<int:pk>/work/",
                self.admin_site.admin_view(self.work_view),
                name="disputes_case_work",
            ),
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return redirect("admin:disputes_case", pk=_pk(object_id))

    def work_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        case = get_object_or_404(ArbitrationCase.objects.select_related("assignee"), pk=pk)
        return _work(
            request,
            case,
            assign=lambda **kwargs: services.case_assign(case=case, **kwargs),
            back=reverse("admin:disputes_case", args=[pk]),
        )

    def case_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        case = get_object_or_404(
            ArbitrationCase.objects.select_related("product", "winner", "assignee"), pk=pk
        )
        claims = claims_for_review(case.claims.values("pk"))
        post = request.POST if request.method == "POST" else None
        action = request.POST.get("action")
        now = timezone.now()
        undecided = [
            c for c in claims if policy.refusal(c, Action.REQUEST_INFORMATION, now=now) is None
        ]
        parties = [c for c in claims if policy.refusal(c, Action.DECIDE_CASE, now=now) is None]
        forms = {
            "decide": DecideForm(
                post if action == "decide" else None, prefix="decide", claims=parties
            ),
            "information": InformationForm(
                post if action == "information" else None, prefix="information", claims=undecided
            ),
        }
        valid = request.method == "POST" and (
            action == "owner" or (action in forms and forms[action].is_valid())
        )
        if valid and self._act_on_case(request, case, claims, action, forms.get(action)):
            return redirect("admin:disputes_case", pk=pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Arbitration case #%(pk)s") % {"pk": case.pk},
            "case": case,
            "claims": claims,
            "forms": forms,
            "can_decide": request.user.has_perm(DECIDE) and case.is_open,
            "opts": self.model._meta,
            "item": case,
            "work_url": reverse("admin:disputes_case_work", args=[pk]),
            **_proposal_context(request, open_proposal(case=case) if case.is_open else None),
            "four_eyes": any(
                policy.needs_second_reviewer(winner=c, losers=[p for p in parties if p != c])
                for c in parties
            ),
            **(_work_context(request, case) if case.is_open else {}),
            "responses": {
                **offered([Kind.CASE_DECISION], parties, now=now),
                **offered([Kind.INFORMATION], undecided, now=now),
            },
        }
        return render(request, "admin/disputes/case.html", context)

    def _act_on_case(self, request, case, claims, action, form) -> bool:
        user = request.user
        by_pk = {claim.pk: claim for claim in claims}
        if action == "owner":
            return _act(
                request,
                lambda: services.case_mark_working_with_owner(actor=user, case=case),
                _("Marked; the challengers are told the review takes longer."),
            )
        data = form.cleaned_data
        if action == "information":
            return _act(
                request,
                lambda: services.claim_request_information(
                    actor=user,
                    claim=by_pk[data["claim"]],
                    reason=data["reason"],
                    question=data["question"],
                ),
                _question_sent(),
            )
        winner = by_pk[data["winner"]]
        now = timezone.now()
        losers = [
            c
            for c in claims
            if c != winner and policy.refusal(c, Action.DECIDE_CASE, now=now) is None
        ]
        if policy.needs_second_reviewer(winner=winner, losers=losers):
            return _act(
                request,
                lambda: services.case_propose(
                    actor=user, case=case, winner=winner, rationale=data["rationale"]
                ),
                _("Decision proposed; a second reviewer must confirm it."),
            )
        return _act(
            request,
            lambda: services.case_decide(
                actor=user, case=case, winner=winner, rationale=data["rationale"]
            ),
            _("Case decided; every party is told the outcome."),
        )


@admin.register(InformationRequest)
class InformationRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "claim",
        "reason",
        "asked_at",
        "due_at",
        "answered_at",
        "reviewer",
        "claim__assignee",
    ]
    list_filter = ["reason", ("answered_at", admin.EmptyFieldListFilter)]
    list_select_related = ["claim__product", "reviewer", "claim__assignee"]
    fields = [
        "claim",
        "reviewer",
        "reason",
        "shown_question",
        "return_status",
        "asked_at",
        "due_at",
        "answered_at",
        "shown_answer",
    ]
    readonly_fields = ["shown_question", "shown_answer"]

    # The texts with their hidden characters marked, as on the claim's page.
    @admin.display(description=_("question"))
    def shown_question(self, obj):
        return reveal_hidden(obj.question)

    @admin.display(description=_("answer"))
    def shown_answer(self, obj):
        return reveal_hidden(obj.answer)


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["claim", "filed_at", "due", "answered_at", "upheld", "claim__assignee"]
    list_filter = ["upheld", ("answered_at", admin.EmptyFieldListFilter)]
    list_select_related = ["claim__product", "claim__assignee"]
    ordering = None  # the model's: the earliest answer due first

    @admin.display(description=_("answer due"), ordering="due_at")
    def due(self, obj):
        return _overdue(obj.due_at) if obj.answered_at is None else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        dispute = get_object_or_404(Dispute, pk=_pk(object_id))
        return redirect(reverse("admin:disputes_review", args=[dispute.claim_id]))


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    """Edited by whoever holds the model's permissions (reviewers only read them); each change
    keeps the text it replaced, with who changed it."""

    form = ResponseTemplateForm
    list_display = ["name", "kind", "reason", "active", "updated_at", "updated_by"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    readonly_fields = ["placeholders", "updated_at", "updated_by", "earlier_versions"]

    @admin.display(description=_("placeholders"))
    def placeholders(self, obj):
        return format_html_join(
            " ",
            "<div>{}: <code>{}</code></div>",
            (
                (ResponseTemplate.Kind(kind).label, " ".join(f"{{{name}}}" for name in names))
                for kind, names in PLACEHOLDERS.items()
            ),
        )

    @admin.display(description=_("earlier versions"))
    def earlier_versions(self, obj):
        revisions = obj.revisions.select_related("changed_by") if obj.pk else []
        return format_html_join(
            "",
            '<div class="cpor-proof"><p>{} · {} · <strong>{}</strong></p><p>{}</p><p>{}</p></div>',
            (
                (
                    formats.date_format(timezone.localtime(r.changed_at), "DATETIME_FORMAT"),
                    r.changed_by or "—",
                    r.name,
                    r.text_en,
                    r.text_cs,
                )
                for r in revisions
            ),
        ) or _("None: this is the first version.")

    def save_model(self, request, obj, form, change):
        old = ResponseTemplate.objects.filter(pk=obj.pk).first() if change else None
        if old and (old.name, old.text_en, old.text_cs) != (obj.name, obj.text_en, obj.text_cs):
            ResponseTemplateRevision.objects.create(
                template=obj,
                name=old.name,
                text_en=old.text_en,
                text_cs=old.text_cs,
                changed_at=timezone.now(),
                changed_by=request.user,
            )
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    """Four eyes: the proposed decisions, each confirmed or sent back on its case's or claim's
    page by a reviewer other than its proposer."""

    actions = None
    list_display = ["__str__", "winner", "proposed_by", "proposed_at", "status", "resolved_by"]
    list_filter = ["status"]
    list_select_related = ["proposed_by", "resolved_by", "winner__product"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        proposal = get_object_or_404(Proposal.objects.select_related("dispute"), pk=_pk(object_id))
        return redirect(_proposal_page(proposal))
