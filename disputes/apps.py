from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("Disputes and arbitration")

    def ready(self):
        from associations.signals import claim_contested
        from disputes.receivers import open_case_for_contested_claim
        from disputes.roles import ensure_reviewers_group

        post_migrate.connect(ensure_reviewers_group, sender=self)
        claim_contested.connect(open_case_for_contested_claim, dispatch_uid="disputes.open_case")
