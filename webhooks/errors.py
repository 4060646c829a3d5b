"""Domain errors of webhook endpoints, with stable codes and translated messages."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class WebhookError(DomainError):
    MESSAGES = {
        "too_many_endpoints": _(
            "Your organisation has the most endpoints it may register. Delete one first."
        ),
        "endpoint_disabled": _("The endpoint is disabled. Enable it before sending again."),
        "endpoint_active": _("The endpoint is already enabled."),
        "delivery_waiting": _("This delivery is already waiting to be sent."),
    }
