from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssociationsConfig(AppConfig):
    name = "associations"
    verbose_name = _("Associations")

    def ready(self):
        from associations.receivers import domains_in_use, recheck_after_import
        from validation.signals import directory_domains_in_use, directory_imported

        directory_imported.connect(recheck_after_import, dispatch_uid="associations.recheck")
        directory_domains_in_use.connect(domains_in_use, dispatch_uid="associations.domains")
