"""Authentication that reads the signed-in user's membership together with the user."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class MembershipBackend(ModelBackend):
    """Every partner page needs the membership and its organisation: reading them in the
    session's user query saves a query on every request."""

    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.select_related("membership__organisation")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
