"""Who must use two-factor authentication, and the gate that sends them to enrolment.

Every staff user (reviewers decide incentive payouts) and every member of an organisation whose
Global admin switched "require MFA" on. A user with an authenticator app passed it at sign-in
(allauth asks for the code), and an SSO sign-in whose ID token says `amr: mfa` counts too; the
answer is kept in the session, so only the first request of a session reads the database.
"""

from urllib.parse import quote

from allauth.account.signals import user_logged_in
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partners.access import membership_of

SESSION_KEY = "cpor_mfa"
MFA_NEEDED = _(
    "Your account must use two-factor authentication. Set up an authenticator app "
    "(Microsoft Authenticator, Google Authenticator, 1Password, ...) to continue."
)


def mfa_required(user) -> bool:
    if user.is_staff:
        return True
    membership = membership_of(user)
    return membership is not None and membership.organisation.require_mfa


@receiver(user_logged_in, dispatch_uid="partners.mfa.sso")
def _remember_sso_mfa(sender, request, user, sociallogin=None, **kwargs):
    if sociallogin is None:
        return
    methods = (sociallogin.account.extra_data.get("id_token") or {}).get("amr") or []
    if "mfa" in methods:
        request.session[SESSION_KEY] = True


class RequireMfaMiddleware:
    """Sends a user who must use MFA and has none to the authenticator set-up first; the
    sign-in, sign-out, MFA and language pages stay open so they can get there."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_prefixes: tuple[str, ...] | None = None

    def _open(self, path: str) -> bool:
        if self._open_prefixes is None:
            self._open_prefixes = (
                reverse("mfa_index"),
                reverse("account_logout"),
                reverse("account_login"),
                reverse("account_reauthenticate"),
                reverse("set_language"),
                reverse("healthz"),
                "/static/",
            )
        return path.startswith(self._open_prefixes)

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.session.get(SESSION_KEY)
            and mfa_required(user)
            and not self._open(request.path_info)
        ):
            if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
                accept = request.headers.get("Accept", "")
                if request.method == "GET" and (not accept or "text/html" in accept):
                    messages.info(request, MFA_NEEDED)  # for a page, not for each icon
                target = reverse("mfa_activate_totp")
                return redirect(f"{target}?next={quote(request.get_full_path())}")
            request.session[SESSION_KEY] = True
        return self.get_response(request)
