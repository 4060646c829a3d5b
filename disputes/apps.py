from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("Disputes and arbitration")

    def ready(self):
        from disputes.roles import ensure_reviewers_group

        post_migrate.connect(ensure_reviewers_group, sender=self)
