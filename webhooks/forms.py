from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from webhooks.addresses import url_problem
from webhooks.models import Endpoint, EventType

URL_LIMIT = Endpoint._meta.get_field("url").max_length


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=URL_LIMIT,
        assume_scheme="https",
        help_text=_("HTTPS, on a public address. Deliveries are POSTed here as JSON."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events to send"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        problem = url_problem(url)
        if problem:
            raise ValidationError(problem, code="url")
        return url
