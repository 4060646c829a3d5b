"""Authentication that reads the signed-in user's membership together with the user."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model


class MembershipBackend(AuthenticationBackend):
    """allauth's backend (username or e-mail, with its timing mitigation), whose session look-up
    also reads the membership and its organisation: every partner page needs them, and reading
    them in the session's user query saves a query on every request."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("membership__organisation").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
