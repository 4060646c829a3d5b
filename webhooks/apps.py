from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from associations.signals import reviewer_commented, timeline_written
        from webhooks.outbox import comment_to_outbox, events_to_outbox

        timeline_written.connect(events_to_outbox, dispatch_uid="webhooks.events")
        reviewer_commented.connect(comment_to_outbox, dispatch_uid="webhooks.comment")
