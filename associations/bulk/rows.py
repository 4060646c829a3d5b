"""What the preview says of each row: the request form's own validation, the pre-flight of
"Check now", and whether the row is already filed.

A row is read through `RequestForm` and `ClaimRowFormSet`, the very forms of the request page,
so a bulk row fails with the same messages; the rows of one request key are one formset, which
also refuses a product listed twice. Rows that pass are previewed as `request_preview` does, which
gives the same check codes, warnings and anonymous competing-claim notice as "Check now".

A row is **already filed** when the organisation has a live claim (a draft too; not one that
ended, was withdrawn or rejected) with the same request key, product and subscription: the
same file uploaded twice files nothing new.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from associations.bulk.spreadsheet import KEY_COLUMNS, Row
from associations.errors import TransitionError
from associations.forms import ClaimRowFormSet, RequestForm, catalog, enrolled_mpns
from associations.models import BatchRow, Claim
from associations.policy import LIVE_STATUSES
from associations.services import ClaimRow
from associations.verdict import drafts_preview, unsaved_request
from partners.catalog import Activity, SolutionArea
from partners.models import MpnId, Organisation
from validation.checks import DatabaseDirectory, contact_domains
from validation.models import Product

_YES = frozenset({"yes", "y", "true", "1", "x", "ano", "a"})
# The form fields whose columns have another name in the spreadsheet.
_COLUMN_OF = {"mpn": "mpn_id"}
_BOOLEANS = ("opt_out_of_incentives", "public_sector")


@dataclass
class Assessed:
    """A row with its verdict; `fields` and `claim` are what filing it would save."""

    row: Row
    errors: list[list[str]] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    contested: bool = False
    existing_request_id: int | None = None
    fields: dict | None = None
    claim: ClaimRow | None = None

    @property
    def verdict(self) -> str:
        if self.existing_request_id is not None:
            return BatchRow.Verdict.DUPLICATE
        if self.errors or self.checks:
            return BatchRow.Verdict.ERROR
        if self.warnings or self.contested:
            return BatchRow.Verdict.WARNING
        return BatchRow.Verdict.OK

    def unsaved(self, batch) -> BatchRow:
        return BatchRow(
            batch=batch,
            number=self.row.number,
            cells=self.row.cells,
            verdict=self.verdict,
            errors=self.errors,
            checks=self.checks,
            warnings=self.warnings,
            contested=self.contested,
            existing_request_id=self.existing_request_id,
        )


class Lookups:
    """The organisation's MPN IDs, the catalog and the choices' labels in every language, read
    once per chunk: a row names them as the template's drop-down lists do."""

    def __init__(self, organisation: Organisation):
        self.mpns = dict(
            MpnId.objects.filter(organisation=organisation).values_list("mpn_id", "pk")
        )
        self.products = {}
        for pk, code, name in Product.objects.order_by("-pk").values_list("pk", "code", "name"):
            self.products[code.casefold()] = pk
            self.products[name.casefold()] = pk
        # What the forms would read per row: the enrolled MPN IDs and the catalog.
        self.enrolled = enrolled_mpns(organisation)
        self.catalog = {product.pk: product for product in catalog()}
        self.areas = _labels(SolutionArea)
        self.activities = _labels(Activity)


def _labels(choices) -> dict[str, str]:
    found = {value.casefold(): value for value in choices.values}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            found.update({str(label).casefold(): value for value, label in choices.choices})
    return found


def request_key(row: Row) -> tuple:
    return tuple(row.cells[column].casefold() for column in KEY_COLUMNS)


def _form_data(row: Row, lookups: Lookups) -> dict:
    cells = row.cells
    data = {
        name: value
        for name, value in cells.items()
        if name not in ("mpn_id", "product", "subscription_id", *_BOOLEANS)
    }
    data["solution_area"] = lookups.areas.get(
        cells["solution_area"].casefold(), cells["solution_area"]
    )
    data["activity"] = lookups.activities.get(cells["activity"].casefold(), cells["activity"])
    data["mpn"] = lookups.mpns.get(cells["mpn_id"], cells["mpn_id"])
    for name in _BOOLEANS:
        if cells[name].casefold() in _YES:
            data[name] = "on"
    return data


def _errors(form) -> list[list[str]]:
    return [
        [_COLUMN_OF.get(name, name) if name != "__all__" else "", str(message)]
        for name, messages in form.errors.items()
        for message in messages
    ]


def assess(
    organisation: Organisation, rows: list[Row], lookups: Lookups, *, preflight: bool = True
) -> list[Assessed]:
    """Every row's verdict, the rows of one request key together, in the file's order; without
    `preflight`, only what filing a draft needs (the forms and the duplicate rows).

    The forms run per request key; the look-ups that follow run once for all the keys: one
    query for the rows already filed, and the directory and the competing claims read for
    every request at once.
    """
    groups = defaultdict(list)
    for row in rows:
        groups[request_key(row)].append(row)
    assessed = {}
    valid = []
    for group in groups.values():
        items = assess_group(organisation, group, lookups)
        assessed.update((item.row.number, item) for item in items)
        if passed := [item for item in items if not item.errors]:
            valid.append(passed)
    _mark_duplicates(organisation, valid)
    if preflight:
        _preflight(organisation, valid)
    return [assessed[row.number] for row in rows]


def assess_group(organisation: Organisation, group: list[Row], lookups: Lookups) -> list[Assessed]:
    """The forms of the rows of one request key: one request with a claim per row."""
    items = [Assessed(row) for row in group]
    forms = {}
    for item in items:
        data = _form_data(item.row, lookups)
        key = tuple(sorted(data.items()))
        if key not in forms:  # rows of one request usually repeat its fields: validated once
            form = RequestForm(data, organisation=organisation, mpns=lookups.enrolled)
            form.is_valid()
            forms[key] = form
        form = forms[key]
        item.errors = _errors(form)
        if not form.errors:
            item.fields = form.request_fields
    area = next((item.fields["solution_area"] for item in items if item.fields), None)
    formset = ClaimRowFormSet(
        _claims_data(group, lookups), prefix="claims", products=lookups.catalog
    )
    formset.solution_area = area
    formset.is_valid()
    shared = [["", str(message)] for message in formset.non_form_errors()]
    for item, claim_form in zip(items, formset.forms, strict=True):
        item.errors += shared + _errors(claim_form)
        product = claim_form.cleaned_data.get("product") if not claim_form.errors else None
        if product is None and not claim_form.errors:
            item.errors.append(["product", str(TransitionError("no_claims").message)])
        if not item.errors:
            item.claim = ClaimRow(
                product=product, subscription_id=claim_form.cleaned_data.get("subscription_id")
            )
    return items


def _claims_data(group: list[Row], lookups: Lookups) -> dict:
    data = {"claims-TOTAL_FORMS": str(len(group)), "claims-INITIAL_FORMS": "0"}
    for index, row in enumerate(group):
        product = row.cells["product"]
        data[f"claims-{index}-product"] = lookups.products.get(product.casefold(), product)
        data[f"claims-{index}-subscription_id"] = row.cells["subscription_id"]
    return data


def _filed_key(fields: dict) -> tuple:
    """What a live claim shares with a row filed before: its request key, the e-mail addresses
    compared case-insensitively (as `iexact` does)."""
    return (
        fields["tenant_id"],
        fields["activity"],
        fields["solution_area"],
        fields["mpn"].pk,
        fields["domain"],
        fields["customer_contact_name"],
        fields["customer_contact_title"],
        fields["customer_contact_email"].upper(),
        fields["partner_contact_name"],
        fields["partner_contact_email"].upper(),
    )


def _mark_duplicates(organisation: Organisation, groups: list[list[Assessed]]) -> None:
    """The rows already filed, for every request key in one query (by tenant, then matched on
    the whole key)."""
    if not groups:
        return
    live = Claim.objects.filter(
        organisation=organisation,
        status__in=LIVE_STATUSES,
        tenant_id__in={items[0].fields["tenant_id"] for items in groups},
    ).values_list(
        "tenant_id",
        "activity",
        "solution_area",
        "mpn_id",
        "request__domain",
        "request__customer_contact_name",
        "request__customer_contact_title",
        "request__customer_contact_email",
        "request__partner_contact_name",
        "request__partner_contact_email",
        "product_id",
        "subscription_id",
        "request_id",
    )
    filed = {}
    for (
        *key,
        customer_email,
        partner_name,
        partner_email,
        product_id,
        subscription,
        request_id,
    ) in live.order_by("pk"):
        key = (*key, customer_email.upper(), partner_name, partner_email.upper())
        claim = (product_id, str(subscription) if subscription else None)
        filed.setdefault((key, claim), request_id)
    for items in groups:
        key = _filed_key(items[0].fields)
        for item in items:
            claim = (item.claim.product.pk, item.claim.subscription_id)
            item.existing_request_id = filed.get((key, claim))


def _preflight(organisation: Organisation, groups: list[list[Assessed]]) -> None:
    """ "Check now" of every request key's rows not yet filed, the directory read once for
    all of them."""
    drafts, previewed = [], []
    for items in groups:
        items = [item for item in items if item.existing_request_id is None]
        if items:
            drafts.append(
                unsaved_request(
                    organisation=organisation,
                    fields=items[0].fields,
                    rows=[item.claim for item in items],
                )
            )
            previewed.append(items)
    if not drafts:
        return
    directory = DatabaseDirectory()
    directory.prefetch(
        {draft.tenant_id for draft, _claims in drafts},
        {
            domain
            for draft, _claims in drafts
            for domain in (draft.domain, *contact_domains(draft.customer_contact_email))
        },
    )
    previews = drafts_preview(drafts, directory)
    for items, (request_failures, request_warnings, claims) in zip(
        previewed, previews, strict=True
    ):
        for item, preview in zip(items, claims, strict=True):
            item.checks = [*request_failures, *preview.failures]
            item.warnings = [*request_warnings, *preview.warnings]
            item.contested = preview.contested


def filing_refusal(item: Assessed) -> str:
    """Why a row chosen for filing cannot be filed any more, in one line."""
    if item.existing_request_id is not None:
        return _("row %(number)s is already filed") % {"number": item.row.number}
    return _("row %(number)s: %(problem)s") % {
        "number": item.row.number,
        "problem": "; ".join(message for _column, message in item.errors) or ", ".join(item.checks),
    }
