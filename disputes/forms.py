from django import forms
from django.utils.translation import gettext_lazy as _

from associations.uploads import DocumentsField
from core.forms import FreeTextField, OneLineField
from disputes.models import INFORMATION_REASONS, REJECTION_REASONS, ResponseTemplate
from disputes.responses import check_text
from disputes.selectors import reviewers

_REVIEWER_REJECTIONS = [
    choice for choice in REJECTION_REASONS if choice[0] not in {"no_response", "customer_declined"}
]


class ApproveForm(forms.Form):
    note = FreeTextField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=_REVIEWER_REJECTIONS)
    note = FreeTextField(
        label=_("Explanation for the partner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InformationForm(forms.Form):
    claim = forms.TypedChoiceField(label=_("Ask the partner of"), coerce=int)
    reason = forms.ChoiceField(label=_("Information needed"), choices=INFORMATION_REASONS)
    question = FreeTextField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, claims, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim"].choices = [
            (claim.pk, f"{claim.request.reference} · {claim.request.organisation.name}")
            for claim in claims
        ]


class DecideForm(forms.Form):
    winner = forms.TypedChoiceField(
        label=_("Partner of record"), coerce=int, widget=forms.RadioSelect
    )
    rationale = FreeTextField(
        label=_("Rationale (sent to every party, without names)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, claims, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["winner"].choices = [
            (claim.pk, f"{claim.request.reference} · {claim.request.organisation.name}")
            for claim in claims
        ]


class DisputeAnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve the claim")), ("refuse", _("The rejection stands"))],
        widget=forms.RadioSelect,
    )
    rationale = FreeTextField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    answer = FreeTextField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}))
    documents = DocumentsField(label=_("Documents (optional)"), required=False)


class DisputeForm(forms.Form):
    statement = FreeTextField(
        label=_("Why the rejection is wrong"), widget=forms.Textarea(attrs={"rows": 4})
    )
    documents = DocumentsField(label=_("New proof of execution"), required=True)
    confirm = forms.BooleanField(
        label=_("I understand that a rejection can be disputed only once."), required=True
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = reviewers()


class SendBackForm(forms.Form):
    note = FreeTextField(
        label=_("Why it goes back (for the proposer)"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ResponseTemplateForm(forms.ModelForm):
    name = OneLineField(label=_("Name"), max_length=100)
    text_en = FreeTextField(label=_("Text in English"))
    text_cs = FreeTextField(label=_("Text in Czech"))

    class Meta:
        model = ResponseTemplate
        fields = ["kind", "reason", "name", "text_en", "text_cs", "active"]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        for name in ("text_en", "text_cs"):
            if kind and cleaned.get(name):
                try:
                    check_text(kind, cleaned[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
        reason = cleaned.get("reason")
        fitting = {
            ResponseTemplate.Kind.INFORMATION: dict(INFORMATION_REASONS),
            ResponseTemplate.Kind.REJECTION: dict(_REVIEWER_REJECTIONS),
        }.get(kind, {})
        if reason and reason not in fitting:
            self.add_error("reason", _("This reason is not one reviewers pick for this kind."))
        return cleaned
