"""Typed text: control characters go everywhere, a name with a hidden format character is
refused by name, free text keeps its hidden characters for reviewers to see marked; every
form's text fields refuse a NUL byte and an over-long value."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from associations.forms import CommentForm, DisassociateForm, ProofForm, RequestForm
from associations.models import AssociationRequest, Claim, Comment
from core.forms import EmailAddressField, FreeTextField, OneLineField
from core.text import clean_line, clean_text, describe, hidden_characters, hidden_parts
from disputes.forms import (
    AnswerForm,
    ApproveForm,
    DecideForm,
    DisputeAnswerForm,
    DisputeForm,
    InformationForm,
    RejectForm,
)
from partners.forms import InviteForm
from partners.models import Membership
from tests.builders import form_data, make_mpn, make_request

RLO = "\u202e"


def test_free_text_keeps_line_breaks_and_tabs_and_drops_every_other_control():
    assert clean_text("one\r\ntwo\rthree\u2028four\tfive\x1b[31m\x07\x7f\x85six") == (
        "one\ntwo\nthree\nfour\tfive[31m\nsix"
    )


def test_free_text_keeps_hidden_characters():
    assert clean_text(f"Invoice{RLO}fdp.exe\u200b") == f"Invoice{RLO}fdp.exe\u200b"


def test_one_line_loses_breaks_controls_and_hidden_characters_and_is_cut():
    assert clean_line("Roll-out\r\nBcc:  x\t\x1b") == "Roll-out Bcc: x"
    assert clean_line(f"Invoice{RLO}fdp.exe\u200d\ufeff\U000e0041") == "Invoicefdp.exe"
    assert clean_line("abcdef", limit=3) == "abc"


def test_one_line_keeps_hidden_characters_when_asked_so_a_form_can_name_them():
    assert clean_line(f"Invoice{RLO}fdp\r\n.exe", keep_hidden=True) == f"Invoice{RLO}fdp .exe"


def test_hidden_characters_are_named_once_each_in_order():
    text = f"a{RLO}b\u200bc{RLO}\u2066"

    assert hidden_characters(text) == [
        "U+202E RIGHT-TO-LEFT OVERRIDE",
        "U+200B ZERO WIDTH SPACE",
        "U+2066 LEFT-TO-RIGHT ISOLATE",
    ]
    assert hidden_characters("Petra Svobodová, Ελένη, محمد") == []
    assert describe("\U000e0041") == "U+E0041 TAG LATIN CAPITAL LETTER A"


@pytest.mark.parametrize(
    "char",
    [
        "\u00ad",  # soft hyphen (a format character)
        "\u034f",  # combining grapheme joiner
        "\u115f",  # Hangul choseong filler
        "\u3164",  # Hangul filler
        "\ufe0f",  # variation selector-16
        "\U000e0100",  # variation selector-17
        "\U000e0041",  # tag Latin capital letter A
        "\ufff9",  # interlinear annotation anchor (a format character)
        "\U0001d173",  # musical symbol begin beam (a format character)
        "\u200d",  # a zero-width joiner that joins no letters
    ],
)
def test_every_invisible_character_is_hidden(char):
    assert hidden_characters(f"Invoice{char}.pdf") == [describe(char)]
    assert clean_line(f"Invoice{char}.pdf") == "Invoice.pdf"


@pytest.mark.parametrize(
    "name",
    ["\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0915\u094d\u200d\u0937"],
    ids=["persian-zwnj", "devanagari-zwj"],
)
def test_a_joiner_between_letters_is_part_of_the_writing(name):
    assert hidden_characters(name) == []
    assert clean_line(name) == name


def test_hidden_parts_split_text_around_each_hidden_character():
    assert list(hidden_parts(f"{RLO}ab\u200b\u200bc")) == [
        (RLO, True),
        ("ab", False),
        ("\u200b", True),
        ("\u200b", True),
        ("c", False),
    ]
    assert list(hidden_parts("")) == []


def test_a_one_line_field_cleans_controls_and_breaks():
    assert OneLineField().clean("  Roll-out\r\nBcc: x\x1b ") == "Roll-out Bcc: x"


def _refusal(field, value) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        field.clean(value)
    return refused.value.messages


def test_a_one_line_field_refuses_a_hidden_character_naming_it():
    assert _refusal(OneLineField(), f"Invoice{RLO}fdp.exe") == [
        "U+202E RIGHT-TO-LEFT OVERRIDE is a hidden character that changes how the text reads. "
        "Type the text again without it."
    ]


def test_a_one_line_field_names_every_hidden_character_it_refuses():
    assert _refusal(OneLineField(), f"a{RLO}b\u200b") == [
        "U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE are hidden characters that "
        "change how the text reads. Type the text again without them."
    ]


def test_an_email_address_with_a_zero_width_character_in_its_domain_is_refused():
    """Django's own field accepts it: the IDNA codec drops the character when it checks."""
    assert forms.EmailField().clean("alex@cust\u200bomer.example")
    (message,) = _refusal(EmailAddressField(), "alex@cust\u200bomer.example")
    assert message.startswith("U+200B ZERO WIDTH SPACE is a hidden character")


def test_a_free_text_field_keeps_breaks_and_hidden_characters_and_drops_controls():
    assert (
        FreeTextField().clean(f" Line one\r\nline\x1b two {RLO}\n") == f"Line one\nline two {RLO}"
    )


def test_a_free_text_field_is_limited_even_without_a_given_length():
    assert FreeTextField().max_length == 5000
    assert FreeTextField(max_length=10).max_length == 10


# Every form whose text fields these are: (form, its keyword arguments, field, length limit).
TEXT_FIELDS = [
    *(
        (RequestForm, {"organisation": None}, name, 200)
        for name in (
            "claim_name",
            "customer_contact_name",
            "customer_contact_title",
            "partner_contact_name",
            "solution_seller_name",
            "isv_product_name",
        )
    ),
    (RequestForm, {"organisation": None}, "customer_contact_email", 254),
    (RequestForm, {"organisation": None}, "partner_contact_email", 254),
    (RequestForm, {"organisation": None}, "proof_description", 5000),
    (CommentForm, {}, "body", 5000),
    (ProofForm, {"claims": Claim.objects.none()}, "description", 5000),
    (DisassociateForm, {}, "reason", 2000),
    (InviteForm, {}, "first_name", 150),
    (InviteForm, {}, "last_name", 150),
    (InviteForm, {}, "email", 150),
    (ApproveForm, {}, "note", 5000),
    (RejectForm, {}, "note", 5000),
    (InformationForm, {"claims": []}, "question", 5000),
    (DecideForm, {"claims": []}, "rationale", 5000),
    (DisputeAnswerForm, {}, "rationale", 5000),
    (AnswerForm, {}, "answer", 5000),
    (DisputeForm, {}, "statement", 5000),
]


def _errors(form_class, kwargs, field, value):
    form = form_class({field: value}, **kwargs)
    form.is_valid()
    return form.errors.get(field, [])


@pytest.mark.django_db
@pytest.mark.parametrize(("form_class", "kwargs", "field", "limit"), TEXT_FIELDS)
def test_every_text_field_refuses_a_nul_byte_in_djangos_words(form_class, kwargs, field, limit):
    value = "alex\x00@customer.example" if "email" in field else "Pe\x00tra"

    assert "Null characters are not allowed." in _errors(form_class, kwargs, field, value)


@pytest.mark.django_db
@pytest.mark.parametrize(("form_class", "kwargs", "field", "limit"), TEXT_FIELDS)
def test_every_text_field_refuses_an_over_long_value(form_class, kwargs, field, limit):
    value = "a" * (limit - 10) + "@x.example" + "a" if "email" in field else "x" * (limit + 1)

    errors = _errors(form_class, kwargs, field, value)

    assert f"Ensure this value has at most {limit} characters (it has {limit + 1})." in errors


@pytest.fixture
def new_request(organisation, tenant, sales, subscription):
    """POST data of a draft request for the shared key."""

    def data(**overrides):
        return form_data(
            tenant_id=tenant.tenant_id,
            domain="contoso.com",
            mpn=make_mpn(organisation),
            rows=[(sales, str(subscription.pk))],
            action="draft",
            **overrides,
        )

    return data


@pytest.mark.parametrize(
    "field", ["claim_name", "customer_contact_name", "partner_contact_name", "isv_product_name"]
)
def test_a_name_with_a_right_to_left_override_is_refused_and_nothing_is_saved(
    client, global_admin, new_request, field
):
    client.force_login(global_admin)
    data = new_request(**{field: f"Invoice{RLO}fdp.exe"})

    response = client.post(reverse("request_create"), data)

    assert response.status_code == 400
    message = (
        "U+202E RIGHT-TO-LEFT OVERRIDE is a hidden character that changes how the text reads. "
        "Type the text again without it."
    )
    assert response.context["form"].errors[field] == [message]
    assert message in response.text
    assert f'href="#id_{field}"' in response.text
    assert AssociationRequest.objects.count() == 0
    kept = response.context["form"]
    assert kept["customer_contact_email"].value() == data["customer_contact_email"]
    assert kept[field].value() == f"Invoice{RLO}fdp.exe"


def test_a_contact_address_with_a_hidden_character_is_refused(client, global_admin, new_request):
    client.force_login(global_admin)

    response = client.post(
        reverse("request_create"),
        new_request(customer_contact_email="alex@cust\u200bomer.example"),
    )

    assert response.status_code == 400
    assert "U+200B ZERO WIDTH SPACE is a hidden character" in response.text
    assert AssociationRequest.objects.count() == 0


def test_a_claim_name_with_a_line_break_is_saved_on_one_line(client, global_admin, new_request):
    client.force_login(global_admin)

    response = client.post(
        reverse("request_create"), new_request(claim_name="Roll-out\r\nBcc: x@evil.example")
    )

    assert response.status_code == 302
    saved = AssociationRequest.objects.get()
    assert saved.claim_name == "Roll-out Bcc: x@evil.example"


def test_the_proof_description_keeps_its_lines_and_loses_its_escapes(
    client, global_admin, new_request
):
    client.force_login(global_admin)

    client.post(
        reverse("request_create"),
        new_request(proof_description="Workshop\r\n\x1b[2JDeployment"),
    )

    assert AssociationRequest.objects.get().proof_description == "Workshop\n[2JDeployment"


@pytest.fixture
def filed(organisation, global_admin, tenant, sales, subscription):
    return make_request(
        organisation, global_admin, tenant=tenant, products=[(sales, str(subscription.pk))]
    )


def test_a_comment_keeps_its_line_break_and_is_saved_without_the_escape(
    client, global_admin, filed
):
    client.force_login(global_admin)

    response = client.post(
        reverse("request_comment", args=[filed.reference]),
        {"body": "Signed today.\r\nSee\x1b[31m the protocol."},
    )

    assert response.status_code == 302
    comment = Comment.objects.get(kind=Comment.Kind.PARTNER)
    assert comment.body == "Signed today.\nSee[31m the protocol."


@pytest.mark.parametrize(
    ("body", "why"), [("Pe\x00tra", "a NUL byte"), ("x" * 5001, "over 5,000 characters")]
)
def test_a_comment_with_a_nul_or_over_the_limit_is_not_saved(
    client, global_admin, filed, body, why
):
    client.force_login(global_admin)

    response = client.post(
        reverse("request_comment", args=[filed.reference]), {"body": body}, follow=True
    )

    assert "Write a comment first (at most 5,000 characters)." in response.text, why
    assert not Comment.objects.filter(kind=Comment.Kind.PARTNER).exists()


def test_an_invitation_for_a_name_with_a_hidden_character_is_refused(client, global_admin):
    client.force_login(global_admin)

    response = client.post(
        reverse("team_invite"),
        {
            "email": "petra@northwind.example",
            "first_name": "Petra",
            "last_name": "Svobodov\u200ba",
            "role": "incentives_admin",
            "confirmed": "yes",
        },
    )

    assert response.status_code == 200
    assert "U+200B ZERO WIDTH SPACE is a hidden character" in response.text
    assert 'value="Petra"' in response.text
    assert not Membership.objects.filter(user__email="petra@northwind.example").exists()


def test_an_invited_name_loses_its_control_characters(client, global_admin):
    client.force_login(global_admin)

    client.post(
        reverse("team_invite"),
        {
            "email": "petra@northwind.example",
            "first_name": "Pe\x1btra",
            "last_name": "Svobodova\r\nBcc: x",
            "role": "incentives_admin",
            "confirmed": "yes",
        },
    )

    invited = Membership.objects.get(user__email="petra@northwind.example").user
    assert (invited.first_name, invited.last_name) == ("Petra", "Svobodova Bcc: x")
