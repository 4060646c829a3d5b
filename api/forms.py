from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import Scope
from core.forms import OneLineField

LIFETIMES = [
    (30, _("30 days")),
    (90, _("90 days")),
    (180, _("180 days")),
    (365, _("One year")),
]


class TokenForm(forms.Form):
    name = OneLineField(
        label=_("Name"),
        max_length=100,
        help_text=_("Which system uses it, e.g. “CRM sync”: the timeline shows it as the actor."),
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices, widget=forms.RadioSelect)
    lifetime = forms.TypedChoiceField(
        label=_("Expires after"), choices=LIFETIMES, coerce=int, initial=90
    )

    @property
    def lifetime_delta(self) -> timedelta:
        return timedelta(days=self.cleaned_data["lifetime"])
