from django import forms
from django.utils.translation import gettext_lazy as _

from associations.uploads import DocumentsField
from core.forms import FreeTextField
from disputes.models import INFORMATION_REASONS, REJECTION_REASONS
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
