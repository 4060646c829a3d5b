"""The request form with its claim rows, and "check now" on them: the pages' and the API's."""

from dataclasses import dataclass

from associations.forms import ClaimRowFormSet, RequestForm
from associations.verdict import CHECK_FIELDS, request_preview, unsaved_request
from validation.errors import CHECKS, WARNINGS


@dataclass
class RequestForms:
    """The request form and its claim rows, validated together."""

    form: RequestForm
    rows: ClaimRowFormSet

    def is_valid(self) -> bool:
        form_ok = self.form.is_valid()
        # The rows are checked against the chosen solution area, when it is valid.
        self.rows.solution_area = self.form.cleaned_data.get("solution_area")
        return self.rows.is_valid() and form_ok

    def is_valid_for_check(self) -> bool:
        """ "Check now" needs only the customer, the solution area, the activity and the rows;
        errors on the other fields (contacts, proof) are left for the submit."""
        self.is_valid()
        for name in list(self.form.errors):
            if name not in CHECK_FIELDS:
                del self.form.errors[name]
        return not self.form.errors and self.rows.is_valid()


def check_now(organisation, forms: RequestForms, instance=None):
    """Run the look-ups on the typed values without saving anything."""
    if not forms.is_valid_for_check():
        return None
    draft, claims = unsaved_request(
        organisation=organisation,
        fields=forms.form.cleaned_data,
        rows=forms.rows.rows,
        pk=instance.pk if instance else None,
    )
    request_failures, request_warnings, previews = request_preview(request=draft, claims=claims)
    return {
        "request_checks": [CHECKS[code] for code in request_failures],
        "request_warnings": [WARNINGS[code] for code in request_warnings],
        "claim_previews": [
            {
                "claim": preview.claim,
                "checks": [CHECKS[code] for code in preview.failures],
                "duplicate": preview.duplicate,
                "contested": preview.contested,
                "warnings": [WARNINGS[code] for code in preview.warnings],
            }
            for preview in previews
        ],
    }
