"""The Reviewers group: the vendor's staff who work in the Django admin.

Kept in code and re-applied after every migrate, so a new model's permissions reach reviewers
without a hand-made change in the admin. Reviewers may look at everything and decide claims
(through services, never by editing rows); they cannot edit the directory or partner data.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

REVIEWERS_GROUP = "Reviewers"

_VIEW_APPS = ("partners", "validation", "associations", "disputes")


def ensure_reviewers_group(**kwargs) -> Group:
    group, _created = Group.objects.get_or_create(name=REVIEWERS_GROUP)
    permissions = Permission.objects.filter(
        Q(content_type__app_label__in=_VIEW_APPS, codename__startswith="view_")
        | Q(content_type__app_label="disputes", codename="decide_case")
    )
    group.permissions.add(*permissions)
    return group
