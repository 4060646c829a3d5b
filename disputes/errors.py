"""Domain errors of review and arbitration, with stable codes and translated messages."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "wrong_status": _("This claim is not in a state that allows this action any more."),
    "key_taken": _(
        "Another claim for the same customer, product and activity is already approved. "
        "Open an arbitration case or end that claim first."
    ),
    "case_closed": _("This arbitration case has already been decided."),
    "not_in_case": _("The winner must be one of the case's claims."),
    "already_disputed": _("This rejection was already disputed; a claim can be disputed once."),
    "dispute_window_closed": _("Rejections can be disputed within 30 days; that time has passed."),
    "no_open_question": _("There is no open question from the reviewer on this claim."),
    "bad_link": _("This link is not valid. Use the link from the e-mail exactly as it came."),
    "link_expired": _("This link has expired. Contact the partner or the vendor's support."),
}


class ReviewError(Exception):
    def __init__(self, code: str):
        self.code = code
        self.message = MESSAGES[code]
        super().__init__(str(self.message))
