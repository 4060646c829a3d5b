from django import forms
from django.utils.translation import gettext_lazy as _

from associations.bulk.spreadsheet import check_upload


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
