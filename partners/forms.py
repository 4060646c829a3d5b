from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import EmailAddressField, OneLineField
from partners.models import Role


class InviteForm(forms.Form):
    # The address is the person's username too, which Django caps at 150 characters.
    email = EmailAddressField(label=_("Work e-mail"), max_length=150)
    first_name = OneLineField(label=_("First name"), max_length=150)
    last_name = OneLineField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        initial=Role.INCENTIVES_ADMIN,
        help_text=_(
            "Global and Incentives admins file requests; Billing admins follow them and audit "
            "MPN IDs; other roles have no CPOR access. Only Global admins manage the team."
        ),
    )

    def clean_email(self) -> str:
        """Stored and signed in with in lower case, so shown so before it is sent."""
        return self.cleaned_data["email"].lower()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("New role"), choices=Role.choices)


class RequireMfaForm(forms.Form):
    require_mfa = forms.ChoiceField(choices=[("on", _("Required")), ("off", _("Optional"))])
