from django import forms
from django.utils.translation import gettext_lazy as _

from associations.bulk.spreadsheet import check_upload
from associations.forms import ACKNOWLEDGED_IN
from associations.models import AssociationRequest
from associations.uploads import DocumentsField
from core.forms import FreeTextField


class BatchUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled template (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        allow_empty_file=True,  # an empty file gets our own message, naming it
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.total_rows = check_upload(upload)
        return upload


class BatchSubmitForm(forms.Form):
    """One proof of execution for every request of the batch, submitted at once: the same
    acknowledgements as the request form, all required."""

    proof_description = FreeTextField(
        label=_("Proof of execution: description"),
        help_text=_("What you did for these customers, when, and for which products."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    documents = DocumentsField(label=_("Proof of execution documents"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ACKNOWLEDGED_IN:
            self.fields[name] = forms.BooleanField(
                label=AssociationRequest._meta.get_field(name).verbose_name, required=True
            )
