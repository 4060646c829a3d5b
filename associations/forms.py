import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from associations.models import AssociationRequest, Claim, ClaimStatus
from associations.proof_template import SECTIONS
from associations.selectors import RequestFilters
from associations.services import ClaimRow
from associations.uploads import DocumentsField
from core.forms import EmailAddressField, FreeTextField, OneLineField
from partners.catalog import ACTIVITY_RULES, Activity, SolutionArea, activity_rule
from partners.models import MpnId, Organisation
from validation.domains import normalise_domain
from validation.models import Product


class PreloadedChoiceField(forms.ModelChoiceField):
    """A choice that can be read from objects loaded once for many forms (the rows of a bulk
    upload): `preloaded` maps the pk to each object of the queryset. The same validation and
    messages as the queryset's, without a query per form."""

    preloaded: dict | None = None

    def to_python(self, value):
        if self.preloaded is None or value in self.empty_values:
            return super().to_python(value)
        self.validate_no_null_characters(value)
        try:
            return self.preloaded[int(value)]
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None


class MpnChoiceField(PreloadedChoiceField):
    """Enrolled MPN IDs only, with their programs; like the original, no partner types."""

    def label_from_instance(self, obj):
        programs = ", ".join(
            str(SolutionArea(e.program.solution_area).label) for e in obj.enrolments.all()
        )
        return f"{obj.mpn_id} · {obj.location_name}, {obj.country} ({programs})"


def _enrolled(organisation: Organisation):
    return (
        MpnId.objects.filter(organisation=organisation, enrolments__isnull=False)
        .distinct()
        .prefetch_related("enrolments__program")
    )


def enrolled_mpns(organisation: Organisation) -> dict[int, MpnId]:
    """The choices of the request form's MPN ID field, read once for many forms."""
    return {mpn.pk: mpn for mpn in _enrolled(organisation)}


# The sections of the proof template that satisfy each acknowledgement.
ACKNOWLEDGED_IN = {
    "ack_customer_signature": ("signature",),
    "ack_current_dates": ("services", "signature"),
    "ack_partner_services": ("services",),
    "ack_all_products": ("products",),
}


class RequestForm(forms.ModelForm):
    class Meta:
        model = AssociationRequest
        fields = [
            "claim_name",
            "tenant_id",
            "domain",
            "solution_area",
            "activity",
            "mpn",
            "customer_contact_name",
            "customer_contact_title",
            "customer_contact_email",
            "partner_contact_name",
            "partner_contact_email",
            "solution_seller_name",
            "isv_product_name",
            "opt_out_of_incentives",
            "public_sector",
            "proof_description",
            "ack_customer_signature",
            "ack_current_dates",
            "ack_partner_services",
            "ack_all_products",
        ]
        field_classes = {
            **dict.fromkeys(
                (
                    "claim_name",
                    "customer_contact_name",
                    "customer_contact_title",
                    "partner_contact_name",
                    "solution_seller_name",
                    "isv_product_name",
                ),
                OneLineField,
            ),
            "customer_contact_email": EmailAddressField,
            "partner_contact_email": EmailAddressField,
            "proof_description": FreeTextField,
        }
        widgets = {
            "solution_area": forms.RadioSelect,
            "activity": forms.RadioSelect,
            "proof_description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "tenant_id": _("The customer's Microsoft Entra tenant ID, a GUID."),
            "domain": _(
                "The customer's initial subdomain (…onmicrosoft.com) or a verified domain."
            ),
            "proof_description": _(
                "What you did for the customer, when, and for which products. Reviewers compare it "
                "with the documents below."
            ),
            "opt_out_of_incentives": _("Microsoft 365 only: associate without incentive payments."),
            "public_sector": _(
                "The proof template then carries the public-sector disclosure for the customer "
                "to confirm."
            ),
            "solution_seller_name": _("Revenue association only."),
            "isv_product_name": _("Revenue association only."),
        }
        error_messages = {
            # Django's own words say "UUID"; the partner's help text and the customer say GUID.
            "tenant_id": {
                "invalid": _(
                    "This is not a tenant ID: it must be a GUID such as "
                    "9f8e7d6c-5b4a-4c3d-8e2f-1a2b3c4d5e6f."
                )
            },
        }

    documents = DocumentsField(
        label=_("Proof of execution documents"),
        required=False,
        help_text=_(
            "PDF, Office documents, images or e-mail files (.eml, .msg). Signed by the customer, "
            "with current dates."
        ),
    )

    def __init__(
        self,
        *args,
        organisation: Organisation,
        lock_customer: bool = False,
        mpns: dict[int, MpnId] | None = None,
        **kwargs,
    ):
        """`mpns`: the organisation's enrolled MPN IDs with their enrolments, read once for
        many forms (`enrolled_mpns`)."""
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.submitting = False
        self.fields["mpn"] = MpnChoiceField(
            label=_("MPN ID"),
            queryset=_enrolled(organisation),
            empty_label=_("Choose an enrolled MPN ID"),
            help_text=format_html(
                "{} <a href='{}'>{}</a>. {}",
                _("Only MPN IDs enrolled in an incentive program are listed; enrol others in the"),
                reverse("incentives"),
                _("Incentives overview"),
                _("Ask your Global admin if you are unsure which MPN ID to use."),
            ),
        )
        self.fields["mpn"].preloaded = mpns
        self.fields["solution_area"].choices = SolutionArea.choices
        self.fields["activity"].choices = Activity.choices
        for name, anchors in ACKNOWLEDGED_IN.items():
            self.fields[name].required = False
            self.fields[name].help_text = self._template_sections(anchors)
        if lock_customer:
            for name in ("tenant_id", "domain", "solution_area", "activity", "mpn"):
                self.fields[name].disabled = True

    def _get_validation_exclusions(self):
        exclusions = super()._get_validation_exclusions()
        if self.fields["mpn"].preloaded is not None:
            # Read with the field's own queryset: the model need not query that it exists.
            exclusions.add("mpn")
        return exclusions

    def _template_sections(self, anchors: tuple[str, ...]) -> str:
        """Where the proof template satisfies an acknowledgement: a link to this request's
        template once there is a request to fill it with."""
        sections = ", ".join(str(SECTIONS[anchor]) for anchor in anchors)
        if self.instance.pk is None:
            return _(
                "The proof template, on the request's page once it is saved, covers this: "
                "%(sections)s."
            ) % {"sections": sections}
        link = format_html(
            '<a href="{}">{}</a>',
            reverse("proof_template", args=[self.instance.reference, "docx"]),
            sections,
        )
        return format_html(_("The proof template covers this: {sections}."), sections=link)

    def clean_domain(self):
        return normalise_domain(self.cleaned_data["domain"])

    def clean(self):
        cleaned = super().clean()
        area, activity, mpn = (cleaned.get(k) for k in ("solution_area", "activity", "mpn"))
        if area and activity and activity_rule(area, activity) is None:
            self.add_error(
                "activity",
                ValidationError(
                    _("%(activity)s is not an activity of %(area)s."),
                    code="activity_mismatch",
                    params={"activity": Activity(activity).label, "area": SolutionArea(area).label},
                ),
            )
        # The enrolments come with the MPN ID (the field's queryset prefetches them).
        if area and mpn and all(e.program.solution_area != area for e in mpn.enrolments.all()):
            self.add_error(
                "mpn",
                ValidationError(
                    _(
                        "MPN ID %(mpn)s is not enrolled in the %(area)s incentive program. Choose "
                        "another, or enrol it in the Incentives overview."
                    ),
                    code="mpn_not_enrolled",
                    params={"mpn": mpn.mpn_id, "area": SolutionArea(area).label},
                ),
            )
        if activity == Activity.REVENUE_ASSOCIATION:
            for name in ("solution_seller_name", "isv_product_name"):
                if not cleaned.get(name):
                    self.add_error(name, _("Required for revenue association."))
        if area != SolutionArea.MICROSOFT_365:
            cleaned["opt_out_of_incentives"] = False
        # A refused file already says what is wrong with the documents.
        if (
            self.submitting
            and not self.has_error("documents")
            and not cleaned.get("documents")
            and not self._has_documents()
        ):
            self.add_error("documents", _("Attach at least one document of proof of execution."))
        if self.submitting:
            for name in (
                "ack_customer_signature",
                "ack_current_dates",
                "ack_partner_services",
                "ack_all_products",
            ):
                if not cleaned.get(name):
                    self.add_error(name, _("Confirm this before submitting."))
        return cleaned

    def _has_documents(self) -> bool:
        return (
            self.instance.pk is not None
            and self.instance.proofs.filter(documents__isnull=False).exists()
        )

    @property
    def request_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    @staticmethod
    def activity_guide():
        return ACTIVITY_RULES


class ProductChoiceField(PreloadedChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ClaimRowForm(forms.Form):
    claim = forms.ModelChoiceField(
        queryset=Claim.objects.none(), required=False, widget=forms.HiddenInput
    )
    product = ProductChoiceField(
        label=_("Product or workload"), queryset=Product.objects.all(), required=False
    )
    subscription_id = forms.CharField(
        label=_("Subscription ID"),
        required=False,
        max_length=64,
        help_text=_("Business Applications only: the subscription ID (a GUID) of this product."),
    )

    def __init__(self, *args, editable_claims=None, product_choices=(), products=None, **kwargs):
        super().__init__(*args, **kwargs)
        if editable_claims is not None:
            self.fields["claim"].queryset = editable_claims
        self.fields["product"].widget.choices = product_choices
        self.fields["product"].preloaded = products


def catalog() -> list[Product]:
    return list(Product.objects.order_by("solution_area", "name"))


def _grouped_products(products: list[Product] | None = None) -> list:
    """The catalog as option groups per solution area, read once for all rows."""
    if products is None:
        products = catalog()
    return [("", "---------")] + [
        (label, [(p.pk, p.name) for p in products if p.solution_area == value])
        for value, label in SolutionArea.choices
    ]


class BaseClaimRowFormSet(forms.BaseFormSet):
    def __init__(self, *args, solution_area=None, editable_claims=None, products=None, **kwargs):
        """`products`: the catalog by pk in the order of `catalog()`, read once for many
        formsets (a bulk upload)."""
        self.solution_area = solution_area
        self.editable_claims = editable_claims
        self.products = products
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        if not hasattr(self, "_product_choices"):
            self._product_choices = _grouped_products(
                None if self.products is None else list(self.products.values())
            )
        return {
            "editable_claims": self.editable_claims,
            "product_choices": self._product_choices,
            "products": self.products,
        }

    def clean(self):
        if any(self.errors) or self.solution_area is None:
            return
        seen = set()
        for form in self.forms:
            product = form.cleaned_data.get("product")
            if product is None:
                continue
            if product.solution_area != self.solution_area:
                form.add_error(
                    "product",
                    _("%(product)s is not a %(area)s product.")
                    % {"product": product.name, "area": SolutionArea(self.solution_area).label},
                )
                continue
            subscription = form.cleaned_data.get("subscription_id", "").strip()
            if self.solution_area == SolutionArea.BUSINESS_APPLICATIONS:
                if not subscription:
                    form.add_error(
                        "subscription_id", _("Give the subscription ID of this product.")
                    )
                    continue
                try:
                    subscription = str(uuid.UUID(subscription))
                except ValueError:
                    form.add_error(
                        "subscription_id",
                        ValidationError(
                            _(
                                "This is not a subscription ID: it must be a GUID such as "
                                "5ab00000-0000-4000-8000-c10000000001."
                            ),
                            code="not_a_subscription_id",
                        ),
                    )
                    continue
            else:
                subscription = None
            form.cleaned_data["subscription_id"] = subscription
            if (product.pk, subscription) in seen:
                form.add_error("product", _("This product is already in the request."))
            seen.add((product.pk, subscription))

    @property
    def rows(self) -> list[ClaimRow]:
        return [
            ClaimRow(
                product=form.cleaned_data.get("product"),
                subscription_id=form.cleaned_data.get("subscription_id") or None,
                claim=form.cleaned_data.get("claim"),
            )
            for form in self.forms
            if form.cleaned_data.get("product") or form.cleaned_data.get("claim")
        ]


ClaimRowFormSet = forms.formset_factory(
    ClaimRowForm, formset=BaseClaimRowFormSet, extra=0, max_num=20, validate_max=True
)


class CommentForm(forms.Form):
    body = FreeTextField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that withdrawn claims cannot be reopened."), required=True
    )


class ProofForm(forms.Form):
    claim = forms.ModelChoiceField(queryset=Claim.objects.none(), label=_("Claim"))
    description = FreeTextField(
        label=_("What this newer proof shows"), widget=forms.Textarea(attrs={"rows": 4})
    )
    documents = DocumentsField(label=_("Documents"), required=True)

    def __init__(self, *args, claims, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim"].queryset = claims
        self.fields["claim"].label_from_instance = lambda claim: claim.product.name


class RequestFilterForm(forms.Form):
    """The list's and the audit's filters; an invalid value is reported and ignored."""

    q = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(required=False, choices=[("", ""), *ClaimStatus.choices])
    area = forms.ChoiceField(required=False, choices=[("", ""), *SolutionArea.choices])
    activity = forms.ChoiceField(required=False, choices=[("", ""), *Activity.choices])
    mpn = forms.RegexField(required=False, regex=r"^[0-9]{6,7}$")
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    @classmethod
    def filters_of(cls, query) -> RequestFilters:
        """The filters of a query string. One with none of them (the list's landing page and
        its keyset pages, the portal's busiest requests) builds no form: there is nothing to
        validate."""
        if query.keys().isdisjoint(cls.base_fields):
            return RequestFilters()
        return cls(query).filters()

    def filters(self) -> RequestFilters:
        self.is_valid()
        data = self.cleaned_data
        return RequestFilters(
            status=data.get("status") or "",
            solution_area=data.get("area") or "",
            activity=data.get("activity") or "",
            q=data.get("q") or "",
            mpn=data.get("mpn") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class DisassociateForm(forms.Form):
    reason = FreeTextField(
        label=_("Why the association ends"),
        help_text=_("For example: the customer no longer works with us, or the wrong MPN ID."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    confirm = forms.BooleanField(
        label=_("I understand that the claim ends and cannot be reopened."), required=True
    )
