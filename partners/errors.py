from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class PartnersError(DomainError):
    """A refused change of the partners app."""


class EnrolmentError(PartnersError):
    MESSAGES = {
        "already_enrolled": _("This MPN ID is already enrolled in that program."),
        "not_enrolled": _("This MPN ID is not enrolled in that program."),
    }


class TeamError(PartnersError):
    MESSAGES = {
        "email_taken": _(
            "This e-mail address already has a CPOR account. A person can belong to one "
            "organisation only; ask the partner support team if it must move."
        ),
        "already_joined": _("This member has already joined; they can reset their password."),
        "inactive": _("This member is deactivated."),
        "no_email": _("This member has no e-mail address to send the invitation to."),
        "unknown_role": _("Choose one of the roles."),
        "same_role": _("The member already has this role."),
        "last_global_admin": _(
            "Your organisation needs at least one active Global admin: make another member "
            "Global admin first."
        ),
        "self": _("You cannot deactivate yourself; ask another Global admin."),
        "not_global_admin": _(
            "You are no longer a Global admin of this organisation, so the change was not made."
        ),
    }


class InvitationError(PartnersError):
    MESSAGES = {
        "invalid": _("This invitation link is not valid. Check that you copied all of it."),
        "expired": _(
            "This invitation link has expired. Ask your Global admin to send a new invitation."
        ),
        "used": _(
            "This invitation link has already been used. Sign in with your password, or reset "
            "it if you forgot it."
        ),
    }
