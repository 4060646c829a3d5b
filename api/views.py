"""/api-tokens/: a Global admin creates, sees once and revokes the organisation's API tokens."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from api import selectors, services
from api.forms import TokenForm
from partners.access import cpor_member_required
from partners.models import Membership

TOKENS_DENIED = gettext_lazy(
    "Your role (%(role)s) cannot manage API tokens: that needs the Global admin role."
)


def _require_global_admin(membership: Membership) -> None:
    if not membership.can_manage_team:
        raise PermissionDenied(TOKENS_DENIED % {"role": membership.get_role_display()})


@cpor_member_required
@never_cache
@require_http_methods(["GET", "POST"])
def token_list(request):
    _require_global_admin(request.membership)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, secret = services.token_create(
            actor=request.user,
            organisation=request.membership.organisation,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            lifetime=form.lifetime_delta,
        )
        # Rendered, not redirected: the secret is never stored, not even in the session.
        return render(request, "api/token_created.html", {"token": token, "secret": secret})
    return render(
        request,
        "api/token_list.html",
        {"tokens": selectors.tokens_of(request.membership), "form": form},
        status=400 if form.errors else 200,
    )


@cpor_member_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, token_id):
    _require_global_admin(request.membership)
    token = selectors.token_get_for_user(request.membership, token_id)
    if request.method == "POST":
        services.token_revoke(token=token)
        messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
        return redirect("api_tokens")
    return render(request, "api/token_revoke.html", {"token": token})
