"""English and Czech: every marked string translated, Czech pages, mails in the reader's tongue."""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from associations.models import ClaimStatus
from associations.verdict import request_record_verdict
from tests.builders import (
    make_mpn,
    make_product,
    make_request,
    make_subscription,
    make_tenant,
    set_status,
)
from validation.errors import CHECKS

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "cs" / "LC_MESSAGES" / "django.po"
SOURCES = [
    "manage.py",
    "cpor_portal",
    "partners",
    "validation",
    "associations",
    "disputes",
    "api",
    "webhooks",
    "templates",
    "locale",
]


def _untranslated(po: polib.POFile) -> list[str]:
    return [
        entry.msgid
        for entry in po
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    ]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext (.ci/run installs it)")
def test_every_marked_string_has_a_czech_translation(tmp_path):
    """Extract the strings from a copy of the sources, merged with our catalogue: any string
    marked in code or templates without a Czech translation fails here, naming it."""
    for name in SOURCES:
        source = ROOT / name
        target = tmp_path / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, target)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "cs", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://unused@localhost/unused"},
    )

    extracted = polib.pofile(str(tmp_path / "locale" / "cs" / "LC_MESSAGES" / "django.po"))

    assert _untranslated(extracted) == []


def test_the_catalogue_has_no_fuzzy_or_empty_entry_and_the_compiled_file_matches_it():
    po = polib.pofile(str(PO))
    assert _untranslated(po) == []
    with PO.with_suffix(".mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    for entry in po:
        if not entry.msgid_plural:
            assert catalogue.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_a_page_in_czech_shows_czech_check_messages(client, global_admin, organisation):
    tenant = make_tenant(domains=("contoso.com",))
    make_tenant(domains=("fabrikam.cz",), name="Fabrikam")
    sales = make_product("d365-sales")
    request = make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(make_subscription(tenant, sales).pk))],
        domain="fabrikam.cz",
        mpn=make_mpn(organisation),
    )
    client.force_login(global_admin)

    page = client.get(
        reverse("request_detail", args=[request.reference]), HTTP_ACCEPT_LANGUAGE="cs"
    ).text

    assert 'data-check="domain_tenant_mismatch"' in page
    guidance = CHECKS["domain_tenant_mismatch"].what_to_do
    with translation.override("cs"):
        czech = str(guidance)
    with translation.override("en"):
        english = str(guidance)
    assert czech != english
    assert czech in page
    assert english not in page
    assert '<html lang="cs">' in page


def test_the_language_switch_is_remembered_for_the_partners_mail(
    client, global_admin, organisation
):
    client.force_login(global_admin)

    response = client.post(reverse("set_language"), {"language": "cs"}, HTTP_REFERER="/")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cs"
    global_admin.membership.refresh_from_db()
    assert global_admin.membership.language == "cs"

    tenant = make_tenant(domains=("contoso.com",))
    sales = make_product("d365-sales")
    request = make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(make_subscription(tenant, sales).pk))],
        mpn=make_mpn(organisation),
        submit=False,
    )
    set_status(request.claims.all(), ClaimStatus.VALIDATING)
    mail.outbox.clear()
    with translation.override("en"):  # the worker's own language does not matter
        request_record_verdict(request_id=request.pk)

    comment = request.comments.get().body
    with translation.override("cs"):
        expected = translation.gettext("The automated checks of %(reference)s have finished.") % {
            "reference": request.reference
        }
    assert comment.startswith(expected)
    assert expected != f"The automated checks of {request.reference} have finished."


def test_the_admin_speaks_czech_to_a_reviewer_who_chose_it(client, reviewer):
    client.force_login(reviewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cs"

    page = client.get(reverse("admin:index")).text

    assert "Správa webu" in page  # Django's own Czech for "Site administration"
    assert "Revize CPOR" in page


def test_a_reviewers_question_reaches_the_partner_in_the_partners_language(
    global_admin, organisation, reviewer
):
    from disputes.services import claim_request_information

    global_admin.membership.language = "cs"
    global_admin.membership.save()
    tenant = make_tenant(domains=("contoso.com",))
    sales = make_product("d365-sales")
    claim = make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(make_subscription(tenant, sales).pk))],
        mpn=make_mpn(organisation),
    ).claims.get()

    with translation.override("en"):  # the reviewer works in English
        claim_request_information(actor=reviewer, claim=claim, reason="no_signature", question="?")

    question = claim.request.comments.get(kind="reviewer").body
    with translation.override("cs"):
        reason = translation.gettext("No customer signature or acknowledgement")
    assert reason in question
