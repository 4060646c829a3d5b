"""The Reviewers group: the vendor's staff who work in the Django admin.

Kept in code and re-applied after every migrate, so a new model's permissions reach reviewers
without a hand-made change in the admin.
"""

from django.contrib.auth.models import Group, Permission

REVIEWERS_GROUP = "Reviewers"

# Reviewers inspect the directory and the partners' data; they do not edit it.
_VIEW_ONLY_APPS = ("partners", "validation")


def ensure_reviewers_group(**kwargs) -> Group:
    group, _created = Group.objects.get_or_create(name=REVIEWERS_GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label__in=_VIEW_ONLY_APPS, codename__startswith="view_"
    )
    group.permissions.add(*permissions)
    return group
