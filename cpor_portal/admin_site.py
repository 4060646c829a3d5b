"""The default admin site, whose every model admin (ours, django-q2's, allauth's) checks the
ids a bulk action is given before the action runs.

The changelist hands the selected ids of an action to `queryset.filter(pk__in=...)` unchecked:
a word where a number or a GUID belongs raised in the action, a 500. No id from a real
changelist is malformed, so a malformed one is a bad request.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import BadRequest, ValidationError


def _is_id(field, value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True


class CheckedActionsMixin:
    def response_action(self, request, queryset):
        primary_key = self.model._meta.pk
        if not all(
            _is_id(primary_key, value) for value in request.POST.getlist(ACTION_CHECKBOX_NAME)
        ):
            raise BadRequest("a selected id is no id")
        return super().response_action(request, queryset)


class PortalAdminSite(admin.AdminSite):
    index_template = "admin/cpor_index.html"

    def index(self, request, extra_context=None):
        """The index leads with the review team's queues and their capped counts, for the
        reviewers only (a staff user outside the Reviewers group sees none of it)."""
        from django.utils import timezone

        from disputes.selectors import open_proposals_count, queue_counts

        extra_context = extra_context or {}
        if request.user.has_perm("disputes.view_reviewclaim"):
            extra_context["review_queues"] = queue_counts(user=request.user, now=timezone.now())
            extra_context["open_proposals"] = open_proposals_count()
        return super().index(request, extra_context)

    def register(self, model_or_iterable, admin_class=None, **options):
        base = admin_class or admin.ModelAdmin
        checked = type(base.__name__, (CheckedActionsMixin, base), {"__module__": base.__module__})
        super().register(model_or_iterable, checked, **options)


class PortalAdminConfig(AdminConfig):
    default_site = "cpor_portal.admin_site.PortalAdminSite"
