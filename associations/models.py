import re
import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models.functions import Reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.choices import ClaimStatus, Event, Reason
from associations.keys import claim_key
from associations.policy import AWAITING_REVIEWER, REVIEW_DECISIONS, REVIEW_QUEUE_STATUSES
from partners.catalog import Activity, SolutionArea
from partners.models import MpnId, Organisation
from validation.errors import CHECKS
from validation.models import Product

REFERENCE_PREFIX = "CPOR-"
# Request fields each claim carries a copy of (see Claim).
REQUEST_COPIES = ("tenant_id", "activity", "organisation_id", "mpn_id", "solution_area")
_REFERENCE_NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII digits only, and within bigint


class AssociationRequest(models.Model):
    """One submission: a customer, a solution area and activity, and one or more claims."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("organisation"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cpor_requests",
        verbose_name=_("author"),
    )
    mpn = models.ForeignKey(
        MpnId, on_delete=models.PROTECT, related_name="requests", verbose_name=_("MPN ID")
    )
    claim_name = models.CharField(_("claim name"), max_length=200)
    tenant_id = models.UUIDField(_("customer tenant ID"))
    domain = models.CharField(_("customer domain"), max_length=253)
    solution_area = models.CharField(
        _("solution area"), max_length=32, choices=SolutionArea.choices
    )
    activity = models.CharField(_("activity"), max_length=32, choices=Activity.choices)
    customer_contact_name = models.CharField(_("customer contact name"), max_length=200)
    customer_contact_title = models.CharField(_("customer contact title"), max_length=200)
    customer_contact_email = models.EmailField(_("customer contact e-mail"))
    partner_contact_name = models.CharField(_("partner contact name"), max_length=200)
    partner_contact_email = models.EmailField(_("partner contact e-mail"))
    solution_seller_name = models.CharField(_("solution seller's name"), max_length=200, blank=True)
    isv_product_name = models.CharField(_("ISV product name"), max_length=200, blank=True)
    opt_out_of_incentives = models.BooleanField(_("opt out of incentive payments"), default=False)
    public_sector = models.BooleanField(
        _("the customer is a public-sector organisation"), default=False
    )
    proof_description = models.TextField(_("proof of execution: description"))
    ack_customer_signature = models.BooleanField(_("the proof carries the customer's signature"))
    ack_current_dates = models.BooleanField(_("the proof carries current dates"))
    ack_partner_services = models.BooleanField(_("the proof describes our services"))
    ack_all_products = models.BooleanField(_("the proof names every claimed product"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("association request")
        verbose_name_plural = _("association requests")
        indexes = [
            # The partner's list: WHERE organisation_id = ? ORDER BY id DESC (keyset pages).
            models.Index(fields=["organisation", "-id"], name="request_org_newest"),
            # Search by tenant ID, or by domain with its subdomains: reverse(domain) = ? OR
            # reverse(domain) LIKE '?.%' (a prefix of the reversed name).
            models.Index(fields=["organisation", "tenant_id"], name="request_org_tenant"),
            models.Index(
                models.F("organisation"),
                OpClass(Reverse("domain"), name="text_pattern_ops"),
                name="request_org_domain_reversed",
            ),
            # The date filter: the ids of the requests created in a range, read from the index.
            models.Index(
                fields=["organisation", "created_at"], include=["id"], name="request_org_created"
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return self.reference_for(self.pk)

    @staticmethod
    def reference_for(pk: int) -> str:
        """The reference of the request `pk`, for pages that hold its id but not the row."""
        return f"{REFERENCE_PREFIX}{pk:06d}"

    @staticmethod
    def pk_from_reference(reference: str) -> int | None:
        """The primary key in "CPOR-000123" (or "123"); None for anything else."""
        number = reference.upper().removeprefix(REFERENCE_PREFIX)
        return int(number) if _REFERENCE_NUMBER.fullmatch(number) else None

    @property
    def per_subscription(self) -> bool:
        return self.solution_area == SolutionArea.BUSINESS_APPLICATIONS


class Claim(models.Model):
    """One product or workload of a request; checks, arbitration and decisions are per claim.

    The claim key (tenant, product, activity, subscription) is copied from the request so the
    database itself can guarantee one approved claim per key; the organisation, MPN ID,
    solution area and filing time are copied too, so the MPN audit reads one table through one
    covering index. The request flow's services keep the copies in step (REQUEST_COPIES).
    """

    request = models.ForeignKey(
        AssociationRequest,
        on_delete=models.CASCADE,
        related_name="claims",
        verbose_name=_("request"),
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="claims", verbose_name=_("product")
    )
    subscription_id = models.UUIDField(_("subscription ID"), null=True, blank=True)
    tenant_id = models.UUIDField(_("customer tenant ID"))
    activity = models.CharField(_("activity"), max_length=32, choices=Activity.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    mpn = models.ForeignKey(MpnId, on_delete=models.PROTECT, related_name="+", db_index=False)
    solution_area = models.CharField(
        _("solution area"), max_length=32, choices=SolutionArea.choices
    )
    filed_at = models.DateTimeField(_("filed"))
    status = models.CharField(
        _("status"), max_length=32, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT
    )
    status_changed_at = models.DateTimeField(_("status changed"), auto_now_add=True)
    due_at = models.DateTimeField(
        _("decision expected by"),
        null=True,
        blank=True,
        help_text=_("Set while a claim is under review or in arbitration (business days)."),
    )
    reason = models.CharField(_("reason"), max_length=64, choices=Reason.choices, blank=True)
    reason_text = models.TextField(_("reason details"), blank=True)
    # The reviewer who holds the claim in the review team's queues; it organises the work and
    # never blocks another reviewer's decision.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_id", "product", "activity", "subscription_id"],
                condition=models.Q(status="approved"),
                nulls_distinct=False,
                name="one_approved_claim_per_key",
            ),
        ]
        indexes = [
            # Competitor and duplicate look-ups: WHERE tenant_id = ? AND product_id = ? AND ...
            models.Index(
                fields=["tenant_id", "product", "activity", "subscription_id"], name="claim_key"
            ),
            # Sweeps: WHERE status = ? ORDER BY status_changed_at.
            models.Index(fields=["status", "status_changed_at"], name="claim_status_age"),
            # The MPN audit: WHERE organisation_id = ? [AND filed_at BETWEEN ? AND ?], grouped
            # by MPN ID, status, area, activity, or by tenant: an index-only scan.
            models.Index(
                fields=["organisation", "filed_at"],
                include=["mpn", "status", "solution_area", "activity", "tenant_id"],
                name="claim_audit",
            ),
            # The audit's customers under several MPN IDs: GROUP BY tenant_id, streamed in order.
            models.Index(fields=["organisation", "tenant_id", "mpn"], name="claim_audit_customers"),
            # The list's status filter: EXISTS (claim WHERE organisation_id = ? AND status = ?
            # AND request_id = ?), merged with the organisation's requests newest first.
            models.Index(fields=["organisation", "status", "request"], name="claim_status_request"),
            # The reviewers' queue: WHERE status IN (queue) ORDER BY due_at NULLS LAST, id.
            models.Index(
                models.F("due_at").asc(nulls_last=True),
                "id",
                condition=models.Q(status__in=REVIEW_QUEUE_STATUSES),
                name="claim_review_queue",
            ),
            # The queue filtered by one of its statuses, in the same order.
            models.Index(
                "status",
                models.F("due_at").asc(nulls_last=True),
                "id",
                condition=models.Q(status__in=REVIEW_QUEUE_STATUSES),
                name="claim_review_queue_status",
            ),
            # "My work": WHERE status IN (queue) AND assignee_id = ? ORDER BY due_at, id.
            models.Index(
                "assignee",
                models.F("due_at").asc(nulls_last=True),
                "id",
                condition=models.Q(status__in=REVIEW_QUEUE_STATUSES),
                name="claim_review_queue_assignee",
            ),
            # "Unassigned": WHERE status IN (queue) AND assignee_id IS NULL ORDER BY due_at, id.
            models.Index(
                models.F("due_at").asc(nulls_last=True),
                "id",
                condition=models.Q(status__in=REVIEW_QUEUE_STATUSES, assignee__isnull=True),
                name="claim_review_queue_unassigned",
            ),
        ]

    def __str__(self):
        return f"{AssociationRequest.reference_for(self.request_id)} · {self.product}"

    @property
    def key(self) -> tuple:
        """What competing claims share, as stored, also on an unsaved claim of typed values (its
        advisory lock id is a hash of it)."""
        return claim_key(self.tenant_id, self.product_id, self.activity, self.subscription_id)


class CheckResultQuerySet(models.QuerySet):
    def failed(self):
        return self.filter(passed=False)


class CheckResult(models.Model):
    """One check of the latest run, passed or failed; a run replaces the previous results."""

    request = models.ForeignKey(
        AssociationRequest, on_delete=models.CASCADE, related_name="check_results"
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="check_results", null=True, blank=True
    )
    code = models.CharField(_("check"), max_length=64, choices=[(code, code) for code in CHECKS])
    passed = models.BooleanField(_("passed"), default=False)
    related_request = models.ForeignKey(
        AssociationRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The organisation's own request that already claims the key, if any."),
    )
    checked_at = models.DateTimeField(_("checked"))

    objects = CheckResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("check result")
        verbose_name_plural = _("check results")
        ordering = ["id"]

    def __str__(self):
        return self.code


def _document_path(instance, filename: str) -> str:
    """A random storage name: nothing of the partner's file name reaches the file system."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"proof/{secrets.token_hex(16)}{suffix}"


class Proof(models.Model):
    """Proof of execution; a later one for a claim supersedes the earlier ones in review."""

    request = models.ForeignKey(AssociationRequest, on_delete=models.CASCADE, related_name="proofs")
    claim = models.ForeignKey(
        Claim,
        on_delete=models.CASCADE,
        related_name="proofs",
        null=True,
        blank=True,
        help_text=_("Empty for the request's original proof, which covers every claim."),
    )
    description = models.TextField(_("description"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("proof of execution")
        verbose_name_plural = _("proofs of execution")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{AssociationRequest.reference_for(self.request_id)} proof #{self.pk}"


class ProofDocument(models.Model):
    proof = models.ForeignKey(Proof, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to=_document_path)
    original_name = models.CharField(_("file name"), max_length=255)
    # The mark a proof template of the portal carries ("CPOR-000123.k3J9x0aQ1z"), read from the
    # document on upload; empty for any other document.
    template_mark = models.CharField(
        _("proof template mark"), max_length=64, blank=True, default=""
    )
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("proof document")
        verbose_name_plural = _("proof documents")
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class Comment(models.Model):
    class Kind(models.TextChoices):
        PARTNER = "partner", _("Partner")
        REVIEWER = "reviewer", _("Reviewer")
        SYSTEM = "system", _("Status update")

    request = models.ForeignKey(
        AssociationRequest, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class StatusEvent(models.Model):
    """The timeline: every change, who made it, when, from what to what, and why."""

    request = models.ForeignKey(AssociationRequest, on_delete=models.CASCADE, related_name="events")
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="events", null=True, blank=True
    )
    # A dotted code, e.g. claim.approved (choices: the admin's filter needs no DISTINCT scan).
    action = models.CharField(_("action"), max_length=64, choices=Event.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(
        _("from"), max_length=32, choices=ClaimStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=32, choices=ClaimStatus.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=64, choices=Reason.choices, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"))
    # The deadline the claim had when it left its status: a decision was on time when
    # created_at <= due_at (the reviewers' SLA dashboard counts these).
    due_at = models.DateTimeField(_("was due"), null=True, blank=True)

    class Meta:
        verbose_name = _("status event")
        verbose_name_plural = _("status events")
        ordering = ["created_at", "id"]
        indexes = [
            # The SLA dashboard: a reviewer's decisions in a date range, per week and per
            # reviewer, on time or not: an index-only scan.
            models.Index(
                fields=["created_at"],
                include=["actor", "due_at"],
                condition=models.Q(action__in=REVIEW_DECISIONS, from_status__in=AWAITING_REVIEWER),
                name="event_review_decisions",
            ),
        ]

    def __str__(self):
        return self.action


def _batch_path(instance, filename: str) -> str:
    """A random storage name, as for proof documents."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"bulk/{secrets.token_hex(16)}{suffix}"


class Batch(models.Model):
    """One uploaded spreadsheet of bulk filing: parsed by the worker, previewed, then filed as
    drafts all at once or not at all (associations/bulk/)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        PARSING = "parsing", _("Reading the rows")
        READY = "ready", _("Ready to file")
        FILING = "filing", _("Filing the requests")
        FILED = "filed", _("Filed")
        FAILED = "failed", _("Failed")

    # With the worker: the page refreshes itself, the sweep watches for a stuck one.
    BUSY = (Status.QUEUED, Status.PARSING, Status.FILING)

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="batches", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cpor_batches",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to=_batch_path)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    progress = models.PositiveIntegerField(_("rows read"), default=0)
    ok_count = models.PositiveIntegerField(_("ok"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    duplicate_count = models.PositiveIntegerField(_("already filed"), default=0)
    failure = models.TextField(_("why it failed"), blank=True)
    # When the worker last moved the batch on (queued, a chunk read, the filing asked for): a
    # batch busy with no move for an hour is swept as failed (`sweep_stuck_batches`).
    moved_at = models.DateTimeField(_("last progress"), default=timezone.now)
    # The uploader's language: the worker writes the rows' messages in it.
    language = models.CharField(_("language"), max_length=16, default="en")
    filed_at = models.DateTimeField(_("filed"), null=True, blank=True)
    # Who asked the worker to file the batch, with the proof when it is submitted at once.
    filer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    submit = models.BooleanField(_("submitted at once"), default=False)
    proof_description = models.TextField(_("proof of execution: description"), blank=True)
    refusal = models.TextField(_("why it was not filed"), blank=True)
    requests = models.ManyToManyField(
        AssociationRequest, related_name="batches", blank=True, verbose_name=_("requests")
    )

    class Meta:
        verbose_name = _("bulk filing batch")
        verbose_name_plural = _("bulk filing batches")
        indexes = [
            # The batch list: WHERE organisation_id = ? ORDER BY id DESC.
            models.Index(fields=["organisation", "-id"], name="batch_org_newest"),
        ]

    def __str__(self):
        return f"{self.original_name} #{self.pk}"

    @property
    def busy(self) -> bool:
        return self.status in self.BUSY


class BatchDocument(models.Model):
    """A proof document of a batch submitted at once, kept until the worker files the batch:
    each request it creates gets its own copy."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to=_batch_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    template_mark = models.CharField(
        _("proof template mark"), max_length=64, blank=True, default=""
    )

    class Meta:
        verbose_name = _("batch proof document")
        verbose_name_plural = _("batch proof documents")
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class BatchRow(models.Model):
    """One spreadsheet row of a batch: its cells as typed, and the preview's verdict."""

    class Verdict(models.TextChoices):
        OK = "ok", _("OK")
        WARNING = "warning", _("Warning")
        ERROR = "error", _("Error")
        DUPLICATE = "duplicate", _("Already filed")

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("row"))
    cells = models.JSONField(_("cells"), default=dict)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices)
    # [[field label or "", message], ...] in the uploader's language.
    errors = models.JSONField(_("format errors"), default=list)
    checks = models.JSONField(_("failed checks"), default=list)  # check codes
    warnings = models.JSONField(_("warnings"), default=list)  # warning codes
    contested = models.BooleanField(_("another partner claims it"), default=False)
    existing_request = models.ForeignKey(
        AssociationRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    request = models.ForeignKey(
        AssociationRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("batch row")
        verbose_name_plural = _("batch rows")
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="batch_row_number"),
        ]
        indexes = [
            # The preview's filter: WHERE batch_id = ? AND verdict = ? ORDER BY number.
            models.Index(fields=["batch", "verdict", "number"], name="batch_row_verdict"),
        ]

    def __str__(self):
        return f"{self.batch_id}:{self.number}"
