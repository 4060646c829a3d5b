"""The proof template of a request: downloaded pre-filled by those who file, in their language;
read back on upload, so reviewers see which proof was made from this request's template."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from associations.models import ProofDocument
from associations.prefill import template_mark, template_origin
from associations.proof_template import read_mark
from partners.catalog import SolutionArea
from tests.builders import form_data, make_mpn, make_request, pdf_upload, set_status

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def filed(organisation, global_admin, tenant, sales, subscription):
    """A filed request for Contoso's Dynamics 365 Sales subscription."""
    return make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
        mpn=make_mpn(
            organisation, mpn_id="7654321", enrolled_in=(SolutionArea.BUSINESS_APPLICATIONS,)
        ),
    )


def _url(request, kind: str) -> str:
    return reverse("proof_template", args=[request.reference, kind])


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_filer_downloads_the_template_filled_in_with_the_request(
    client, global_admin, filed, tenant, sales, subscription
):
    client.force_login(global_admin)

    word = client.get(_url(filed, "docx"))
    pdf = client.get(_url(filed, "pdf"))

    assert word.status_code == pdf.status_code == 200
    assert word["Content-Type"] == DOCX
    assert pdf["Content-Type"] == "application/pdf"
    assert word["Content-Disposition"] == (
        f'attachment; filename="{filed.reference}-proof-template.docx"'
    )
    for text in (_docx_text(word.content), _pdf_text(pdf.content)):
        for expected in (
            filed.organisation.name,
            "7654321",
            tenant.display_name,
            str(tenant.tenant_id),
            "contoso.com",
            sales.name,
            str(subscription.pk),
            filed.reference,
        ):
            assert expected in text
    assert read_mark(word.content) == read_mark(pdf.content) == template_mark(filed)


def test_the_public_sector_disclosure_comes_only_with_the_checkbox(client, global_admin, filed):
    client.force_login(global_admin)
    plain = _docx_text(client.get(_url(filed, "docx")).content)
    filed.public_sector = True
    filed.save(update_fields=["public_sector"])

    public = _docx_text(client.get(_url(filed, "docx")).content)

    disclosure = "Public-sector disclosure: Contoso confirms that naming a partner of record"
    assert disclosure in public
    assert "Public-sector disclosure" not in plain


def test_the_template_is_in_the_readers_language(client, global_admin, filed):
    global_admin.membership.language = "cs"
    global_admin.membership.save(update_fields=["language"])
    client.force_login(global_admin)
    client.cookies["django_language"] = "cs"

    text = _docx_text(client.get(_url(filed, "docx")).content)

    assert "Podpis zákazníka" in text


@pytest.mark.parametrize(
    ("who", "status"),
    [("billing_admin", 200), ("other_role", 403), ("outsider", 404)],
)
def test_every_cpor_role_gets_its_own_organisations_template_and_nobody_else(
    client, request, filed, who, status
):
    client.force_login(request.getfixturevalue(who))

    assert client.get(_url(filed, "pdf")).status_code == status


@pytest.mark.parametrize(
    "path",
    [
        "/associations/CPOR-000001/proof-template.exe",
        "/associations/CPOR-abc/proof-template.pdf",
        "/associations/CPOR-99999999999999999999/proof-template.pdf",
        "/associations/CPOR-000001/proof-template.pdf%00",
    ],
)
def test_a_template_url_that_names_nothing_answers_404_or_400(client, global_admin, filed, path):
    client.force_login(global_admin)

    assert client.get(path).status_code in {400, 404}


def _add_proof(client, request, upload):
    claim = request.claims.get()
    response = client.post(
        reverse("proof_add", args=[request.reference]),
        {"claim": claim.pk, "description": "Signed by the customer.", "documents": upload},
    )
    assert response.status_code == 302, response.content
    return ProofDocument.objects.filter(proof__request=request).latest("pk")


def test_reviewers_see_which_proof_was_made_from_which_template(
    client, global_admin, reviewer, filed, organisation, tenant, sales, subscription
):
    set_status(filed.claims.all(), "under_review")
    other = make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
        mpn=filed.mpn,
    )
    client.force_login(global_admin)
    own = client.get(_url(filed, "docx")).content
    others = client.get(_url(other, "pdf")).content

    from_own = _add_proof(client, filed, SimpleUploadedFile("signed.docx", own))
    from_other = _add_proof(client, filed, SimpleUploadedFile("signed.pdf", others))
    plain = _add_proof(client, filed, pdf_upload("scan.pdf"))
    client.force_login(reviewer)
    page = client.get(reverse("admin:disputes_review", args=[filed.claims.get().pk])).text

    assert from_own.template_mark == template_mark(filed)
    assert from_other.template_mark == template_mark(other)
    assert plain.template_mark == ""
    assert "carries this request's proof template mark" in page
    assert f"carries the proof template mark of {other.reference}" in page
    assert page.count('data-template="') == 2


def test_a_mark_the_site_did_not_sign_is_no_template(filed):
    forged = ProofDocument(template_mark=f"{filed.reference}.AAAAAAAAAA")
    genuine = ProofDocument(template_mark=template_mark(filed))

    assert template_origin(forged) is None
    assert template_origin(genuine) == filed.reference
    assert template_origin(ProofDocument(template_mark="")) is None


def test_the_request_page_offers_the_template_while_a_claim_is_live(
    client, global_admin, billing_admin, filed
):
    url = reverse("request_detail", args=[filed.reference])
    client.force_login(billing_admin)
    live = client.get(url).text
    set_status(filed.claims.all(), "withdrawn")
    over = client.get(url).text

    assert f'href="{_url(filed, "docx")}"' in live
    assert f'href="{_url(filed, "pdf")}"' in live
    assert "data-proof-template" not in over
    assert client.get(_url(filed, "pdf")).status_code == 404


def test_the_customers_name_comes_from_the_directory_only_for_one_of_its_domains(
    client, global_admin, organisation, tenant, sales, subscription, filed
):
    elsewhere = make_request(
        organisation,
        global_admin,
        tenant=tenant,
        domain="fabrikam.example",
        products=[(sales, str(subscription.pk))],
        mpn=filed.mpn,
    )
    client.force_login(global_admin)

    text = _docx_text(client.get(_url(elsewhere, "docx")).content)

    assert tenant.display_name not in text
    assert "fabrikam.example" in text


def test_each_acknowledgement_names_the_template_section_that_satisfies_it(
    client, global_admin, filed
):
    client.force_login(global_admin)
    set_status(filed.claims.all(), "draft")

    new = client.get(reverse("request_create")).text
    edit = client.get(reverse("request_edit", args=[filed.reference])).text

    assert "covers this: 7. Customer" in new
    assert "covers this: 3. Products" in new
    assert edit.count(f'href="{_url(filed, "docx")}"') == 4


def test_the_public_sector_checkbox_is_saved_with_the_request(
    client, global_admin, filed, django_capture_on_commit_callbacks
):

    set_status(filed.claims.all(), "draft")
    claim = filed.claims.get()
    data = form_data(
        tenant_id=filed.tenant_id,
        domain=filed.domain,
        mpn=filed.mpn,
        rows=[(claim.product, str(claim.subscription_id))],
        action="draft",
        initial_rows=1,
        public_sector="on",
        **{"claims-0-claim": claim.pk},
    )
    client.force_login(global_admin)

    response = client.post(reverse("request_edit", args=[filed.reference]), data)

    assert response.status_code == 302, response.context and response.context["form"].errors
    filed.refresh_from_db()
    assert filed.public_sector
