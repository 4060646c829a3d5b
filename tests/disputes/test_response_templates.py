"""Reviewers' response templates: filled in for the claim in the language of the partner who
filed, never naming another partner; edited in the admin by whoever holds the permission, each
change keeping the text it replaced; placeholders checked before a template is saved."""

import importlib
import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from disputes.models import ResponseTemplate, ResponseTemplateRevision
from disputes.responses import PLACEHOLDERS, check_text
from tests.builders import enable_totp, make_user

Kind = ResponseTemplate.Kind
ADD = reverse("admin:disputes_responsetemplate_add")


def _change(template) -> str:
    return reverse("admin:disputes_responsetemplate_change", args=[template.pk])


@pytest.fixture(autouse=True)
def _no_defaults(db):
    """Without the migration's default templates: each test names the ones it offers."""
    ResponseTemplate.objects.all().delete()


@pytest.fixture
def editor(db):
    """A team lead: staff with the permissions to edit the templates, not a reviewer."""
    user = make_user(None, username="lead", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_responsetemplate",
                "change_responsetemplate",
                "add_responsetemplate",
            ]
        )
    )
    enable_totp(user)
    return user


@pytest.fixture
def no_signature(db):
    return ResponseTemplate.objects.create(
        kind=Kind.INFORMATION,
        reason="no_signature",
        name="No signature",
        text_en="The proof for {product} ({reference}) of {partner} is unsigned; by {deadline}.",
        text_cs="Doklad pro {product} ({reference}) společnosti {partner} nemá podpis; "
        "do {deadline}.",
    )


def _offered(page, picker: str) -> dict:
    found = re.search(rf'<script id="{picker}-data" type="application/json">(.*?)</script>', page)
    assert found, f"no {picker} on the page"
    return json.loads(found.group(1))


def _template(kind: str, **fields) -> dict:
    return {"kind": kind, "reason": "", "name": "A template", "active": "on", **fields}


def test_the_default_templates_use_only_their_placeholders():
    defaults = importlib.import_module("disputes.migrations.0006_default_response_templates")
    kinds = {kind for kind, *_rest in defaults.DEFAULTS}
    assert kinds == set(PLACEHOLDERS)
    for kind, _reason, _name, english, czech in defaults.DEFAULTS:
        check_text(kind, english)
        check_text(kind, czech)


def test_the_review_page_fills_a_template_in_the_partners_language(
    client, reviewer, global_admin, file_claim, no_signature
):
    global_admin.membership.language = "cs"
    global_admin.membership.save()
    claim = file_claim(global_admin)
    client.force_login(reviewer)

    page = client.get(reverse("admin:disputes_review", args=[claim.pk])).content.decode()

    offered = _offered(page, "information-template")[str(no_signature.pk)]
    text = offered["texts"][str(claim.pk)]
    assert text.startswith("Doklad pro D365 Sales (CPOR-")
    assert "společnosti Northwind Traders nemá podpis" in text
    assert re.search(r"do \d{1,2}\. \d{1,2}\. 20\d\d\.$", text)  # the answer's deadline, in Czech
    assert offered["reason"] == "no_signature"
    assert "response-templates.js" in page


def test_an_inactive_template_or_one_of_another_kind_is_not_offered(
    client, reviewer, global_admin, file_claim, no_signature
):
    no_signature.active = False
    no_signature.save()
    ResponseTemplate.objects.create(
        kind=Kind.REJECTION,
        name="Weak proof",
        text_en="Weak: {product}",
        text_cs="Slabé: {product}",
    )
    claim = file_claim(global_admin)
    client.force_login(reviewer)

    page = client.get(reverse("admin:disputes_review", args=[claim.pk])).content.decode()

    assert 'id="information-template"' not in page
    assert [t["name"] for t in _offered(page, "reject-template").values()] == ["Weak proof"]


def test_a_case_rationale_reads_in_every_partys_language_and_names_nobody(
    client, reviewer, global_admin, outsider, file_claim
):
    outsider.membership.language = "cs"
    outsider.membership.save()
    template = ResponseTemplate.objects.create(
        kind=Kind.CASE_DECISION,
        name="Newest proof",
        text_en="Weighed on the newest proof for {product}.",
        text_cs="Posouzeno podle nejnovějšího dokladu pro {product}.",
    )
    file_claim(global_admin)
    case = file_claim(outsider).cases.get()
    client.force_login(reviewer)

    page = client.get(reverse("admin:disputes_case", args=[case.pk])).content.decode()

    texts = _offered(page, "decide-template")[str(template.pk)]["texts"]
    assert texts == {
        "all": "Weighed on the newest proof for D365 Sales.\n\n"
        "Posouzeno podle nejnovějšího dokladu pro D365 Sales."
    }


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        (Kind.INFORMATION, "Send it by {dedline}.", "“{dedline}” is no placeholder"),
        (Kind.CASE_DECISION, "Won by {partner}.", "“{partner}” is no placeholder"),
        (Kind.REJECTION, "{product.__class__}", "no placeholder"),
        (Kind.REJECTION, "{product!r}", "“{product!r}” is no placeholder"),
        (Kind.REJECTION, "{product:>99999}", "no placeholder"),
        (Kind.DISPUTE_ANSWER, "Approved {", "A brace is not closed"),
        (Kind.DISPUTE_ANSWER, "{}", "“{}” is no placeholder"),
    ],
)
def test_a_template_with_a_wrong_placeholder_is_refused(client, editor, kind, text, message):
    client.force_login(editor)

    page = client.post(ADD, _template(kind, text_en=text, text_cs="Text"))

    assert page.status_code == 200
    assert message in page.content.decode()
    assert not ResponseTemplate.objects.exists()


def test_a_reason_that_does_not_fit_the_kind_and_an_over_long_name_are_refused(client, editor):
    client.force_login(editor)

    page = client.post(
        ADD,
        _template(
            Kind.INFORMATION, reason="insufficient_proof", name="x" * 101, text_en="a", text_cs="b"
        ),
    )

    assert page.status_code == 200
    content = page.content.decode()
    assert "This reason is not one reviewers pick for this kind." in content
    assert "at most 100 characters" in content
    assert not ResponseTemplate.objects.exists()


def test_a_nul_byte_in_a_template_is_a_form_error(client, editor):
    client.force_login(editor)
    page = client.post(ADD, _template(Kind.REJECTION, text_en="a\x00b", text_cs="b"))
    assert page.status_code == 200
    assert "Null characters are not allowed." in page.content.decode()
    assert not ResponseTemplate.objects.exists()


def test_a_change_keeps_the_text_it_replaced_and_who_changed_it(client, editor, no_signature):
    client.force_login(editor)

    response = client.post(
        _change(no_signature),
        {
            **_template(
                Kind.INFORMATION,
                reason="no_signature",
                name="No signature (v2)",
                text_en="Please have {product} signed by {deadline}.",
                text_cs="Nechte prosím {product} podepsat do {deadline}.",
            ),
        },
    )

    assert response.status_code == 302
    no_signature.refresh_from_db()
    assert (no_signature.name, no_signature.updated_by) == ("No signature (v2)", editor)
    revision = ResponseTemplateRevision.objects.get(template=no_signature)
    assert (revision.name, revision.changed_by) == ("No signature", editor)
    assert revision.text_en.startswith("The proof for {product}")
    shown = client.get(_change(no_signature)).content.decode()
    assert "is unsigned; by {deadline}." in shown  # the earlier text, on the template's page


def test_reviewers_read_the_templates_but_cannot_change_them(client, reviewer, no_signature):
    client.force_login(reviewer)

    assert client.get(reverse("admin:disputes_responsetemplate_changelist")).status_code == 200
    response = client.post(
        _change(no_signature), _template(Kind.INFORMATION, text_en="Changed", text_cs="Změněno")
    )

    assert response.status_code == 403
    no_signature.refresh_from_db()
    assert no_signature.text_en.startswith("The proof for")
    assert client.get(ADD).status_code == 403


def test_a_non_numeric_template_id_is_no_template(client, editor):
    client.force_login(editor)
    response = client.get("/admin/disputes/responsetemplate/abc/change/", follow=True)
    assert response.redirect_chain == [(reverse("admin:index"), 302)]
    assert "doesn\u2019t exist" in response.content.decode()
