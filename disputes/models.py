from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from associations.keys import claim_key
from associations.models import Claim, Reason
from partners.catalog import Activity
from validation.models import Product

INFORMATION_REASONS = [
    (reason.value, reason.label)
    for reason in (
        Reason.NO_PROOF,
        Reason.NO_SIGNATURE,
        Reason.OLD_DATES,
        Reason.NO_SERVICES,
        Reason.PRODUCT_MISSING,
    )
]
REJECTION_REASONS = [
    (reason.value, reason.label)
    for reason in (
        Reason.INSUFFICIENT_PROOF,
        Reason.NO_RESPONSE,
        Reason.CUSTOMER_DECLINED,
        Reason.LOST_ARBITRATION,
        Reason.PARTNER_REQUEST,
    )
]


class ArbitrationCase(models.Model):
    """Competing claims of several organisations for one claim key, decided together."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DECIDED = "decided", _("Decided")

    tenant_id = models.UUIDField(_("customer tenant ID"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    activity = models.CharField(_("activity"), max_length=32, choices=Activity.choices)
    subscription_id = models.UUIDField(_("subscription ID"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default="open")
    opened_at = models.DateTimeField(_("opened"))
    due_at = models.DateTimeField(_("decision due"))
    overdue_flagged_at = models.DateTimeField(_("flagged overdue"), null=True, blank=True)
    working_with_owner = models.BooleanField(_("working with the current owner"), default=False)
    claims = models.ManyToManyField(Claim, related_name="cases", verbose_name=_("claims"))
    winner = models.ForeignKey(
        Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rationale = models.TextField(_("rationale"), blank=True)
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
        verbose_name = _("arbitration case")
        verbose_name_plural = _("arbitration cases")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_id", "product", "activity", "subscription_id"],
                condition=models.Q(status="open"),
                nulls_distinct=False,
                name="one_open_case_per_key",
            ),
        ]
        indexes = [
            # The reviewers' case list: ORDER BY status DESC (open first), due_at, id DESC.
            models.Index(
                models.F("status").desc(), "due_at", models.F("id").desc(), name="case_queue"
            ),
            # "My work" among the cases: WHERE status = 'open' AND assignee_id = ? ORDER BY due_at.
            models.Index(
                "assignee",
                "due_at",
                condition=models.Q(status="open"),
                name="case_queue_assignee",
            ),
        ]
        permissions = [
            ("decide_case", _("Can decide arbitration cases and review claims")),
            ("assign", _("Can assign review work to other reviewers")),
        ]

    def __str__(self):
        return f"Case #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def key(self) -> tuple:
        return claim_key(self.tenant_id, self.product_id, self.activity, self.subscription_id)


class InformationRequest(models.Model):
    """A reviewer's question to one partner ("partner action required" in the original)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="information_requests")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("information needed"), max_length=64, choices=INFORMATION_REASONS)
    question = models.TextField(_("question"))
    return_status = models.CharField(_("returns to"), max_length=32)
    asked_at = models.DateTimeField(_("asked"))
    due_at = models.DateTimeField(_("answer due"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        ordering = ["-asked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"],
                condition=models.Q(answered_at__isnull=True),
                name="one_open_information_request_per_claim",
            ),
        ]
        indexes = [
            # The expiry sweep: WHERE answered_at IS NULL AND due_at < now.
            models.Index(
                fields=["due_at"],
                condition=models.Q(answered_at__isnull=True),
                name="information_open_due",
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.claim})"


class Dispute(models.Model):
    """A partner contests a rejection, once, with a statement and new proof."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="dispute")
    statement = models.TextField(_("statement"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed"))
    due_at = models.DateTimeField(_("answer due"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    upheld = models.BooleanField(_("claim approved on dispute"), null=True, blank=True)
    rationale = models.TextField(_("rationale"), blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["due_at"]

    def __str__(self):
        return f"Dispute of {self.claim}"


class ReviewClaim(Claim):
    """Claims as the reviewers' queue shows them (a proxy: same table, its own admin)."""

    class Meta:
        proxy = True
        verbose_name = _("claim to review")
        verbose_name_plural = _("review queue: claims")


class Proposal(models.Model):
    """A decision that needs a second reviewer (associations.policy.needs_second_reviewer):
    proposed by one reviewer, then confirmed (and only then taken) or sent back by another."""

    class Status(models.TextChoices):
        OPEN = "open", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        SENT_BACK = "sent_back", _("Sent back")

    # Exactly one of the two: the case to decide, or the dispute to uphold.
    case = models.ForeignKey(
        ArbitrationCase, on_delete=models.CASCADE, null=True, blank=True, related_name="proposals"
    )
    dispute = models.ForeignKey(
        Dispute, on_delete=models.CASCADE, null=True, blank=True, related_name="proposals"
    )
    winner = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="+", verbose_name=_("winner")
    )
    rationale = models.TextField(_("rationale"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed or sent back by"),
    )
    resolved_at = models.DateTimeField(_("confirmed or sent back"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("decision proposal")
        verbose_name_plural = _("decision proposals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=True) ^ models.Q(dispute__isnull=True),
                name="proposal_for_a_case_or_a_dispute",
            ),
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="open"), name="one_open_case_proposal"
            ),
            models.UniqueConstraint(
                fields=["dispute"],
                condition=models.Q(status="open"),
                name="one_open_dispute_proposal",
            ),
        ]

    def __str__(self):
        return f"Proposal #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ResponseTemplate(models.Model):
    """A reviewer's ready answer for one kind of decision, in English and Czech, with
    placeholders filled for the claim at hand (`disputes.responses`); the reviewer edits the
    text before it is sent."""

    class Kind(models.TextChoices):
        INFORMATION = "information", _("Request information")
        REJECTION = "rejection", _("Reject")
        CASE_DECISION = "case_decision", _("Decide an arbitration case")
        DISPUTE_ANSWER = "dispute_answer", _("Answer a dispute")

    kind = models.CharField(_("used to"), max_length=32, choices=Kind.choices)
    reason = models.CharField(
        _("for the reason"),
        max_length=64,
        choices=INFORMATION_REASONS + REJECTION_REASONS,
        blank=True,
        help_text=_("Picking the template sets this reason; blank: the reviewer chooses one."),
    )
    name = models.CharField(_("name"), max_length=100)
    text_en = models.TextField(_("text in English"))
    text_cs = models.TextField(_("text in Czech"))
    active = models.BooleanField(_("offered to reviewers"), default=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")
        ordering = ["kind", "reason", "name"]

    def __str__(self):
        return self.name


class ResponseTemplateRevision(models.Model):
    """A template's text as it was before a change: who changed it, when, from what."""

    template = models.ForeignKey(
        ResponseTemplate, on_delete=models.CASCADE, related_name="revisions"
    )
    name = models.CharField(_("name"), max_length=100)
    text_en = models.TextField(_("text in English"))
    text_cs = models.TextField(_("text in Czech"))
    changed_at = models.DateTimeField(_("changed"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("earlier version")
        verbose_name_plural = _("earlier versions")
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.changed_at:%Y-%m-%d %H:%M})"
