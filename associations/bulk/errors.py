"""Why a batch is not filed, with stable codes and translated messages."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class BatchError(DomainError):
    MESSAGES = {
        "not_ready": _("The rows are still being read; file them once the preview is shown."),
        "already_filed": _("This batch is already filed."),
        "filing": _("This batch is already being filed; this page updates itself."),
        "nothing_to_file": _(
            "Nothing was filed: every row has an error or is already filed. Download the rows "
            "with errors, fix them and upload them again."
        ),
        "rows_changed": _(
            "Nothing was filed: some rows no longer pass since the preview (%(reasons)s). Upload "
            "the file again to see the current verdict."
        ),
    }

    def __init__(self, code: str, **params):
        super().__init__(code)
        if params:
            self.message = self.message % params
