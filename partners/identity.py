"""How django-allauth signs people in to the portal: closed sign-up, and single sign-on only for
work accounts that match a member of an organisation linked to the account's tenant."""

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.utils import is_mfa_enabled
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.shortcuts import render
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from partners import members
from partners.mfa import mfa_required
from partners.selectors import sso_member_for

SSO_REFUSED = {
    "no_account": _(
        "There is no CPOR account for this work account. Ask your organisation's Global admin "
        "to invite you, then sign in again."
    ),
    "unverified": _(
        "Your sign-in could not be verified (it may have expired or been replayed). "
        "Start the sign-in again."
    ),
}


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": format_lazy(
            _(
                "Too many failed sign-ins for this account or from your address. Wait "
                "{minutes} minutes and try again, or reset your password."
            ),
            minutes=-(-settings.CPOR_LOGIN_LOCKOUT_SECONDS // 60),
        ),
    }

    def is_open_for_signup(self, request) -> bool:
        """Nobody creates an account: people join by invitation or import."""
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """One failed-sign-in counter per account, whether its username or its e-mail address
        was typed (allauth counts each spelling apart); a login that names nobody counts on its
        own, after the same one query."""
        login = str(credentials.get("email") or credentials.get("username") or "").lower()
        user_id = (
            get_user_model()
            .objects.filter(Q(username__iexact=login) | Q(email__iexact=login))
            .values_list("pk", flat=True)
            .first()
        )
        return f"user:{user_id}" if user_id is not None else f"login:{login}"

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up a first authenticator app does not ask for the password again right
        after signing in or joining (allauth counts only an explicit re-authentication), nor
        from someone who has none to give (joined by single sign-on, so nothing else to re-
        authenticate with). Everything else asks as allauth does."""
        request = context.request
        user = getattr(request, "user", None)
        first_app = (
            app == "allauth.mfa"
            and user is not None
            and user.is_authenticated
            and not is_mfa_enabled(user)
        )
        if first_app:
            records = get_authentication_records(request, user)
            recent = records and (
                time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT
            )
            if recent or not user.has_usable_password():
                return False
        return super().is_reauthentication_required(app=app, **kwargs)


def _refuse(request, reason: str):
    raise ImmediateHttpResponse(
        render(request, "partners/sso_refused.html", {"message": SSO_REFUSED[reason]}, status=403)
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def pre_social_login(self, request, sociallogin) -> None:
        """Check the ID token's nonce (allauth checks state and PKCE), then find the member the
        work account belongs to; anyone else sees the refusal page and nothing is created.
        Signing in is the only process: nobody links a work account to the account they are
        signed in with."""
        claims = sociallogin.account.extra_data.get("id_token") or {}
        expected = sociallogin.state.get("nonce")
        if (
            sociallogin.state.get("process", AuthProcess.LOGIN) != AuthProcess.LOGIN
            or not expected
            or claims.get("nonce") != expected
        ):
            _refuse(request, "unverified")
        member = sso_member_for(claims)
        if member is None or (sociallogin.is_existing and sociallogin.user.pk != member.pk):
            _refuse(request, "no_account")
        if not sociallogin.is_existing:
            first_sign_in = member.last_login is None
            with transaction.atomic():
                sociallogin.connect(request, member)
                if first_sign_in:
                    members.member_joined(member=member, how="sso")


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "Two-factor authentication stays on: your account must use it (reviewers always, "
            "partners when their organisation requires it)."
        ),
    }

    def can_delete_authenticator(self, authenticator) -> bool:
        """Whoever must use MFA keeps their authenticator app."""
        return not mfa_required(authenticator.user)
