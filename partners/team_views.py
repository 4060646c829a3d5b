"""/team/: the organisation's members; Global admins invite, change roles and deactivate."""

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from partners import members
from partners.access import cpor_member_required
from partners.errors import InvitationError, TeamError
from partners.forms import InviteForm, RequireMfaForm, RoleForm
from partners.identity import display_name
from partners.invitations import invitation_user
from partners.models import Membership, Role
from partners.selectors import member_get_for_user, team_events, team_members

MEMBERS_PER_PAGE = 50
MANAGE_DENIED = gettext_lazy(
    "Your role (%(role)s) can see the team but not change it. Inviting people, changing roles "
    "and deactivating members needs the Global admin role."
)


def _require_global_admin(membership: Membership) -> None:
    if not membership.can_manage_team:
        raise PermissionDenied(MANAGE_DENIED % {"role": membership.get_role_display()})


@cpor_member_required
def team(request):
    page = Paginator(team_members(request.membership), MEMBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "partners/team.html",
        {
            "page": page,
            "events": team_events(request.membership),
        },
    )


def _ready(request, form) -> bool:
    """A valid form the person did not ask to change again (the confirmation's "Change")."""
    return request.method == "POST" and form.is_valid() and "edit" not in request.POST


def _confirmation(request, form, *, question: str, details: list[str], button: str):
    """The page that repeats what is about to happen; its button posts the same fields again,
    with `confirmed`."""
    return render(
        request,
        "partners/team_confirm.html",
        {"form": form, "question": question, "details": details, "button": button},
    )


@cpor_member_required
@require_http_methods(["GET", "POST"])
def team_invite(request):
    _require_global_admin(request.membership)
    form = InviteForm(request.POST or None)
    if _ready(request, form):
        if request.POST.get("confirmed") != "yes":
            data = form.cleaned_data
            return _confirmation(
                request,
                form,
                question=_("Invite %(name)s (%(email)s) as %(role)s?")
                % {
                    "name": f"{data['first_name']} {data['last_name']}",
                    "email": data["email"],
                    "role": Role(data["role"]).label,
                },
                details=[
                    _(
                        "They get an e-mail with a link that works once, for %(days)s days, to "
                        "set a password or sign in with their work account."
                    )
                    % {"days": settings.CPOR_INVITATION_DAYS}
                ],
                button=_("Send the invitation"),
            )
        try:
            member = members.member_invite(
                actor=request.user,
                organisation=request.membership.organisation,
                **form.cleaned_data,
            )
        except TeamError as error:
            form.add_error("email", error.message)
        else:
            messages.success(
                request,
                _("%(email)s is invited: the invitation mail is on its way.")
                % {"email": member.user.email},
            )
            return redirect("team")
    return render(
        request,
        "partners/team_invite.html",
        {"form": form, "invitation_days": settings.CPOR_INVITATION_DAYS},
    )


@cpor_member_required
@require_http_methods(["GET", "POST"])
def member_role(request, user_id):
    member = member_get_for_user(request.membership, user_id)
    _require_global_admin(request.membership)
    form = RoleForm(request.POST or None, initial={"role": member.role})
    if _ready(request, form):
        if request.POST.get("confirmed") != "yes":
            return _confirmation(
                request,
                form,
                question=_("Change the role of %(name)s from %(previous)s to %(role)s?")
                % {
                    "name": display_name(member.user),
                    "previous": member.get_role_display(),
                    "role": Role(form.cleaned_data["role"]).label,
                },
                details=[_("It applies to their next page.")],
                button=_("Change the role"),
            )
        try:
            members.member_change_role(
                actor=request.user, member=member, role=form.cleaned_data["role"]
            )
        except TeamError as error:
            form.add_error("role", error.message)
        else:
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {
                    "name": display_name(member.user),
                    "role": Role(form.cleaned_data["role"]).label,
                },
            )
            return redirect("team")
    return render(request, "partners/member_role.html", {"member": member, "form": form})


@cpor_member_required
@require_http_methods(["GET", "POST"])
def member_deactivate(request, user_id):
    member = member_get_for_user(request.membership, user_id)
    _require_global_admin(request.membership)
    if request.method == "POST":
        try:
            members.member_deactivate(actor=request.user, member=member)
        except TeamError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(name)s is deactivated and can no longer sign in.")
                % {"name": display_name(member.user)},
            )
        return redirect("team")
    return render(request, "partners/member_deactivate.html", {"member": member})


@cpor_member_required
@require_POST
def member_reinvite(request, user_id):
    member = member_get_for_user(request.membership, user_id)
    _require_global_admin(request.membership)
    try:
        members.member_reinvite(actor=request.user, member=member)
    except TeamError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("A new invitation is on its way to %(email)s.") % {"email": member.user.email},
        )
    return redirect("team")


@cpor_member_required
@require_http_methods(["GET", "POST"])
def team_mfa(request):
    """The confirmation page posts the state it asks for, so two Global admins who both ask
    for it cannot switch it back and forth."""
    _require_global_admin(request.membership)
    organisation = request.membership.organisation
    form = RequireMfaForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return HttpResponseBadRequest(
                _("Choose whether two-factor authentication is required.")
            )
        required = form.cleaned_data["require_mfa"] == "on"
        try:
            members.organisation_set_require_mfa(
                actor=request.user, organisation=organisation, required=required
            )
        except TeamError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Every member must now use two-factor authentication.")
                if required
                else _("Two-factor authentication is now each member's choice."),
            )
        return redirect("team")
    return render(request, "partners/team_mfa.html", {"organisation": organisation})


def _invitation_invalid(request, error: InvitationError):
    return render(
        request, "partners/invitation_invalid.html", {"message": error.message}, status=400
    )


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """Anyone holding the link: it is the invited person's only key until they set a password."""
    try:
        user = invitation_user(token)
    except InvitationError as error:
        return _invitation_invalid(request, error)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = members.invitation_accept(
                token=token, password=form.cleaned_data["new_password1"]
            )
        except InvitationError as error:
            return _invitation_invalid(request, error)
        if request.user.is_authenticated:
            logout(request)
        # Counts as a password sign-in, as allauth's own sign-in records one.
        record_authentication(request, user, method="password", username=user.get_username())
        return perform_login(request, user, redirect_url=reverse("dashboard"))
    return render(request, "partners/invitation_accept.html", {"form": form, "invited": user})
