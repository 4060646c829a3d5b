from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "already_enrolled": _("This MPN ID is already enrolled in that program."),
    "not_enrolled": _("This MPN ID is not enrolled in that program."),
}


class EnrolmentError(Exception):
    def __init__(self, code: str):
        self.code = code
        self.message = MESSAGES[code]
        super().__init__(str(self.message))
