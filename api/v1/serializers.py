"""The API's answers, described for the OpenAPI schema (drf-spectacular reads these)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.models import Scope
from associations import policy
from associations.choices import ClaimStatus, Event
from associations.models import Comment
from partners.catalog import Activity, SolutionArea
from partners.identity import display_name
from validation.errors import CHECKS


class Problem(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
    errors = serializers.JSONField(required=False)


class Me(serializers.Serializer):
    organisation = serializers.CharField()
    token = serializers.CharField()
    scope = serializers.ChoiceField(choices=Scope.choices)
    expires_at = serializers.DateTimeField()


class ClaimSummary(serializers.Serializer):
    status = serializers.ChoiceField(choices=ClaimStatus.choices)
    product = serializers.CharField()


def actor_label(user) -> str:
    """Who acted, as the request page's timeline says it: reviewers stay anonymous."""
    if user is None:
        return str(_("CPOR Portal"))
    if user.is_staff:
        return str(_("Reviewer"))
    return display_name(user)


class RequestRow(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    claim_name = serializers.CharField()
    domain = serializers.CharField()
    tenant_id = serializers.UUIDField()
    solution_area = serializers.ChoiceField(choices=SolutionArea.choices)
    activity = serializers.ChoiceField(choices=Activity.choices)
    created_at = serializers.DateTimeField()
    mpn_id = serializers.CharField()
    claims = serializers.SerializerMethodField()

    @extend_schema_field(ClaimSummary(many=True))
    def get_claims(self, row) -> list:
        return [{"status": status, "product": product} for status, product in row.claims]


class RequestPage(serializers.Serializer):
    results = RequestRow(many=True)
    older = serializers.URLField(allow_null=True, help_text=_("The next page, older requests."))
    newer = serializers.URLField(allow_null=True, help_text=_("The previous page, newer ones."))


class FailedCheck(serializers.Serializer):
    """A failed check: its code (DESIGN.md section 4) and what the partner is told."""

    code = serializers.CharField()
    problem = serializers.SerializerMethodField()
    what_to_do = serializers.SerializerMethodField()

    def get_problem(self, result) -> str:
        return str(CHECKS[result.code].problem)

    def get_what_to_do(self, result) -> str:
        return str(CHECKS[result.code].what_to_do)


class AllowedAction(serializers.Serializer):
    action = serializers.ChoiceField(choices=[a.value for a in policy.Action])
    until = serializers.DateTimeField(allow_null=True)


def allowed_list(allowed: dict) -> list:
    """The policy's allowed actions, their times written as every other time of the answer."""
    rows = [{"action": name, "until": value.until} for name, value in sorted(allowed.items())]
    return AllowedAction(rows, many=True).data


class Product(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ClaimDetail(serializers.Serializer):
    id = serializers.IntegerField()
    product = Product()
    subscription_id = serializers.UUIDField(allow_null=True)
    status = serializers.ChoiceField(choices=ClaimStatus.choices)
    status_changed_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    reason_text = serializers.CharField()
    failed_checks = FailedCheck(many=True, source="check_results.all")
    actions = serializers.SerializerMethodField()

    @extend_schema_field(AllowedAction(many=True))
    def get_actions(self, claim) -> list:
        return allowed_list(self.context["actions"].claims[claim.pk])


class Document(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class ProofOut(serializers.Serializer):
    id = serializers.IntegerField()
    claim_id = serializers.IntegerField(allow_null=True)
    description = serializers.CharField()
    author = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    documents = Document(many=True, source="documents.all")

    def get_author(self, proof) -> str:
        return display_name(proof.author)


class CommentOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Comment.Kind.choices)
    author = serializers.SerializerMethodField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_author(self, comment) -> str:
        if comment.kind != Comment.Kind.PARTNER:
            return str(comment.get_kind_display())
        return actor_label(comment.author)


class EventOut(serializers.Serializer):
    action = serializers.ChoiceField(choices=Event.choices)
    claim_id = serializers.IntegerField(allow_null=True)
    actor = serializers.SerializerMethodField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_actor(self, event) -> str:
        return actor_label(event.actor)


class Deadline(serializers.Serializer):
    claim_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["decision", "dispute_answer", "dispute_window"])
    at = serializers.DateTimeField()


class RequestDetail(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    claim_name = serializers.CharField()
    tenant_id = serializers.UUIDField()
    domain = serializers.CharField()
    solution_area = serializers.ChoiceField(choices=SolutionArea.choices)
    activity = serializers.ChoiceField(choices=Activity.choices)
    mpn_id = serializers.CharField(source="mpn.mpn_id")
    customer_contact_name = serializers.CharField()
    customer_contact_title = serializers.CharField()
    customer_contact_email = serializers.EmailField()
    partner_contact_name = serializers.CharField()
    partner_contact_email = serializers.EmailField()
    solution_seller_name = serializers.CharField()
    isv_product_name = serializers.CharField()
    opt_out_of_incentives = serializers.BooleanField()
    public_sector = serializers.BooleanField()
    proof_description = serializers.CharField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    failed_checks = FailedCheck(many=True, source="request_checks")
    claims = ClaimDetail(many=True, source="claim_list")
    actions = serializers.SerializerMethodField()
    proofs = ProofOut(many=True, source="proof_list")
    comments = CommentOut(many=True, source="comment_list")
    timeline = EventOut(many=True, source="event_list")
    deadlines = serializers.SerializerMethodField()

    @extend_schema_field(AllowedAction(many=True))
    def get_actions(self, request) -> list:
        return allowed_list(self.context["actions"].request)

    @extend_schema_field(Deadline(many=True))
    def get_deadlines(self, request) -> list:
        deadlines = []
        for claim in request.claim_list:
            if claim.due_at:
                kind = (
                    "dispute_answer" if policy.awaits_dispute_answer(claim.status) else "decision"
                )
                deadlines.append({"claim_id": claim.pk, "kind": kind, "at": claim.due_at})
            dispute = self.context["actions"].claims[claim.pk].get(policy.Action.DISPUTE.value)
            if dispute:
                deadlines.append(
                    {"claim_id": claim.pk, "kind": "dispute_window", "at": dispute.until}
                )
        return Deadline(deadlines, many=True).data


class Enrolment(serializers.Serializer):
    solution_area = serializers.ChoiceField(
        choices=SolutionArea.choices, source="program.solution_area"
    )
    program = serializers.CharField(source="program.name")
    enrolled_at = serializers.DateTimeField()


class MpnOut(serializers.Serializer):
    mpn_id = serializers.CharField()
    location_name = serializers.CharField()
    country = serializers.CharField()
    partner_type = serializers.CharField()
    enrolments = Enrolment(many=True, source="enrolments.all")


class AuditRow(serializers.Serializer):
    mpn_id = serializers.CharField(source="mpn.mpn_id")
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_area = serializers.DictField(child=serializers.IntegerField())
    by_activity = serializers.DictField(child=serializers.IntegerField())
    not_enrolled = serializers.DictField(child=serializers.IntegerField())


class SharedCustomer(serializers.Serializer):
    tenant_id = serializers.UUIDField()
    domain = serializers.CharField()
    mpn_ids = serializers.ListField(child=serializers.CharField())
    claims = serializers.IntegerField()


class AuditOut(serializers.Serializer):
    total = serializers.IntegerField()
    rows = AuditRow(many=True)
    shared_customers = SharedCustomer(many=True)
    shared_customer_count = serializers.IntegerField()


# The bodies of the writes, for the schema: the pages' forms validate them (api/v1/actions.py).
class ClaimInput(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("An editable claim of the request to edit")
    )
    product = serializers.IntegerField(
        allow_null=True, help_text=_("A product's id (GET /products); null removes the claim")
    )
    subscription_id = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class RequestInput(serializers.Serializer):
    claim_name = serializers.CharField(max_length=200)
    tenant_id = serializers.UUIDField()
    domain = serializers.CharField(max_length=253)
    solution_area = serializers.ChoiceField(choices=SolutionArea.choices)
    activity = serializers.ChoiceField(choices=Activity.choices)
    mpn_id = serializers.CharField(max_length=7, help_text=_("An enrolled MPN ID"))
    customer_contact_name = serializers.CharField(max_length=200)
    customer_contact_title = serializers.CharField(max_length=200)
    customer_contact_email = serializers.EmailField()
    partner_contact_name = serializers.CharField(max_length=200)
    partner_contact_email = serializers.EmailField()
    solution_seller_name = serializers.CharField(max_length=200, required=False)
    isv_product_name = serializers.CharField(max_length=200, required=False)
    opt_out_of_incentives = serializers.BooleanField(required=False)
    public_sector = serializers.BooleanField(required=False)
    proof_description = serializers.CharField(max_length=5000)
    ack_customer_signature = serializers.BooleanField(required=False)
    ack_current_dates = serializers.BooleanField(required=False)
    ack_partner_services = serializers.BooleanField(required=False)
    ack_all_products = serializers.BooleanField(required=False)
    claims = ClaimInput(many=True, max_length=20)
    submit = serializers.BooleanField(required=False, help_text=_("Submit at once"))
    documents = serializers.ListField(
        child=serializers.FileField(), required=False, help_text=_("Multipart bodies only")
    )


class ProofInput(serializers.Serializer):
    claim = serializers.IntegerField()
    description = serializers.CharField(max_length=5000)
    documents = serializers.ListField(child=serializers.FileField())


class CommentInput(serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class AnswerInput(serializers.Serializer):
    answer = serializers.CharField(max_length=5000)
    documents = serializers.ListField(child=serializers.FileField(), required=False)


class DisputeInput(serializers.Serializer):
    statement = serializers.CharField(max_length=5000)
    documents = serializers.ListField(child=serializers.FileField())


class DisassociateInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class CheckOut(serializers.Serializer):
    """A check of DESIGN.md section 4 (or a warning): its code and what the partner is told."""

    code = serializers.CharField()
    problem = serializers.CharField()
    what_to_do = serializers.CharField()


class ClaimPreview(serializers.Serializer):
    product = serializers.IntegerField(source="claim.product_id")
    subscription_id = serializers.CharField(source="claim.subscription_id", allow_null=True)
    failed_checks = CheckOut(many=True, source="checks")
    duplicate_of = serializers.SerializerMethodField()
    contested = serializers.BooleanField()
    warnings = CheckOut(many=True)

    def get_duplicate_of(self, preview) -> str | None:
        duplicate = preview["duplicate"]
        return duplicate.request.reference if duplicate else None


class CheckNow(serializers.Serializer):
    failed_checks = CheckOut(many=True)
    warnings = CheckOut(many=True)
    claims = ClaimPreview(many=True)


class ProductOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    solution_area = serializers.ChoiceField(choices=SolutionArea.choices)
