"""Who may see and change a request (CONVENTIONS.md rule 4), tried on every page of the app.

Another organisation's request is 404 and stays unchanged; a same-organisation role that may
only read gets 403 with the reason on every change; a user without a CPOR role gets the "ask
your Global admin" page; anonymous visitors are sent to log in. Every refusal is checked twice:
by its status code, and by comparing the whole database before and after.
"""

import csv
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from associations import services
from associations.models import (
    AssociationRequest,
    Claim,
    ClaimStatus,
    Comment,
    Proof,
    ProofDocument,
    StatusEvent,
)
from tests.builders import (
    PDF_BYTES,
    form_data,
    make_mpn,
    make_product,
    make_request,
    make_subscription,
    make_tenant,
    pdf_upload,
)

# --- What each organisation has filed ------------------------------------------------------


@dataclass(frozen=True)
class Filed:
    """One organisation's requests: one per state that some page can change."""

    submitted: AssociationRequest  # under review: withdrawable, open for newer proof
    draft: AssociationRequest  # editable and deletable
    document: ProofDocument  # newer proof of `submitted`

    @property
    def references(self) -> set[str]:
        return {self.submitted.reference, self.draft.reference}


def _file(organisation, author, tenant) -> Filed:
    product = make_product()
    mpn = make_mpn(organisation)

    def new_request(*, submit):
        subscription = make_subscription(tenant, product)
        return make_request(
            organisation,
            author,
            tenant=tenant,
            mpn=mpn,
            products=[(product, str(subscription.subscription_id))],
            submit=submit,
        )

    submitted = new_request(submit=True)
    draft = new_request(submit=False)
    proof = services.proof_add(
        actor=author,
        request=submitted,
        claim=submitted.claims.get(),
        description="x",
        uploads=[services.Upload(file=pdf_upload(), content_type="application/pdf")],
    )
    return Filed(submitted=submitted, draft=draft, document=proof.documents.get())


@pytest.fixture
def northwind(organisation, global_admin, tenant) -> Filed:
    filed = _file(organisation, global_admin, tenant)
    # The pages below can only change what they are meant to change if the states are these.
    assert filed.submitted.claims.get().status == ClaimStatus.UNDER_REVIEW
    assert filed.draft.claims.get().status == ClaimStatus.DRAFT
    return filed


@pytest.fixture
def adatum(other_organisation, outsider, tenant) -> Filed:
    return _file(other_organisation, outsider, tenant)


def database_state() -> dict:
    """Everything a page of this app could change, across every organisation."""
    return {
        "requests": list(
            AssociationRequest.objects.order_by("pk").values_list(
                "pk", "claim_name", "tenant_id", "domain", "mpn_id", "submitted_at"
            )
        ),
        "claims": list(
            Claim.objects.order_by("pk").values_list(
                "pk", "request_id", "status", "product_id", "subscription_id"
            )
        ),
        "comments": list(Comment.objects.order_by("pk").values_list("pk", "request_id", "body")),
        "proofs": list(Proof.objects.order_by("pk").values_list("pk", "request_id", "claim_id")),
        "documents": list(ProofDocument.objects.order_by("pk").values_list("pk", "proof_id")),
        "events": StatusEvent.objects.count(),
    }


# --- The pages -----------------------------------------------------------------------------


def _edit_data(filed: Filed) -> dict:
    """A valid edit of the draft that renames it, as the browser would post it."""
    draft = filed.draft
    claim = draft.claims.get()
    return form_data(
        tenant_id=draft.tenant_id,
        domain=draft.domain,
        mpn=draft.mpn,
        rows=[(claim.product, str(claim.subscription_id))],
        initial_rows=1,
        action="save",
        claim_name="Renamed by someone else",
        **{"claims-0-claim": claim.pk},
    )


def _proof_data(filed: Filed) -> dict:
    return {
        "claim": filed.submitted.claims.get().pk,
        "description": "Newer proof from someone else",
        "documents": pdf_upload(),
    }


@dataclass(frozen=True)
class Page:
    """One URL of one request, and a POST that would change it if the user were allowed."""

    name: str
    target: str  # which of Filed's requests the URL names
    post: Callable[[Filed], dict] = lambda filed: {}

    def url(self, filed: Filed, reference: str | None = None) -> str:
        if self.name == "request_create":
            return reverse(self.name)
        reference = reference or getattr(filed, self.target).reference
        if self.name == "document_download":
            return reverse(self.name, args=[reference, filed.document.pk])
        return reverse(self.name, args=[reference])

    def __str__(self):
        return self.name


DETAIL = Page("request_detail", "submitted")
EDIT = Page("request_edit", "draft", _edit_data)
WITHDRAW = Page("request_withdraw", "submitted", lambda filed: {"confirm": "on"})
DELETE = Page("request_delete", "draft")
COMMENT = Page("request_comment", "submitted", lambda filed: {"body": "A comment from outside"})
PROOF = Page("proof_add", "submitted", _proof_data)
DOCUMENT = Page("document_download", "submitted")

REQUEST_PAGES = [DETAIL, EDIT, WITHDRAW, DELETE, COMMENT, PROOF, DOCUMENT]
WRITE_PAGES = [EDIT, WITHDRAW, DELETE, COMMENT, PROOF]
POST_ONLY_PAGES = [COMMENT]
READ_ONLY_PAGES = [DETAIL, DOCUMENT]


def _send(client, method: str, page: Page, filed: Filed, reference: str | None = None):
    url = page.url(filed, reference)
    if method == "post":
        return client.post(url, page.post(filed))
    return client.get(url)


def _cases(pages, methods=("get", "post")):
    """(page, method) pairs, leaving out the methods a page refuses (405 for everyone)."""
    return [
        pytest.param(page, method, id=f"{method.upper()} {page}")
        for page in pages
        for method in methods
        if not (method == "get" and page in POST_ONLY_PAGES)
        and not (method == "post" and page in READ_ONLY_PAGES)
    ]


def _one_method_each(pages):
    """GET on every page, POST where only POST is allowed."""
    return [
        pytest.param(page, "post" if page in POST_ONLY_PAGES else "get", id=str(page))
        for page in pages
    ]


def _text(response) -> str:
    return html.unescape(response.content.decode())


# --- Another organisation's request: 404, and nothing changes -------------------------------


@pytest.mark.parametrize(("page", "method"), _cases(REQUEST_PAGES))
def test_outsider_gets_404_and_nothing_changes(client, outsider, northwind, adatum, page, method):
    client.force_login(outsider)
    before = database_state()

    response = _send(client, method, page, northwind)

    assert response.status_code == 404
    assert getattr(northwind, page.target).reference not in _text(response)
    assert database_state() == before


@pytest.mark.parametrize(("page", "method"), _cases(WRITE_PAGES, methods=("post",)))
def test_global_admin_of_the_organisation_makes_each_change_the_outsider_cannot(
    client, global_admin, northwind, page, method
):
    """The counterpart of the test above: the refused POSTs would really change something."""
    client.force_login(global_admin)
    before = database_state()

    response = _send(client, method, page, northwind)

    assert response.status_code == 302
    assert database_state() != before


def test_outsider_cannot_fetch_another_organisations_document_through_their_own_request(
    client, outsider, northwind, adatum
):
    client.force_login(outsider)

    response = client.get(
        reverse("document_download", args=[adatum.submitted.reference, northwind.document.pk])
    )

    assert response.status_code == 404


# --- Billing admin: reads everything, changes nothing ---------------------------------------


def _new_request_data(filed: Filed) -> dict:
    """A complete new request that the request form would accept."""
    claim = filed.submitted.claims.get()
    subscription = make_subscription(make_tenant(domains=("fabrikam.com",)), claim.product)
    return form_data(
        tenant_id=subscription.tenant.tenant_id,
        domain="fabrikam.com",
        mpn=filed.submitted.mpn,
        rows=[(claim.product, str(subscription.subscription_id))],
        action="save",
    )


NEW = Page("request_create", "submitted", _new_request_data)  # names no request: target unused


@pytest.mark.parametrize(("page", "method"), _cases([*WRITE_PAGES, NEW]))
def test_billing_admin_gets_403_on_write(client, billing_admin, northwind, page, method):
    client.force_login(billing_admin)
    before = database_state()

    response = _send(client, method, page, northwind)

    assert response.status_code == 403
    text = _text(response)
    assert "Your role (Billing admin) can follow your organisation's requests" in text
    assert "needs the Global admin or Incentives admin role" in text
    assert database_state() == before


def test_billing_admin_reads_detail_and_documents(client, billing_admin, northwind):
    client.force_login(billing_admin)

    detail = client.get(DETAIL.url(northwind))
    download = client.get(DOCUMENT.url(northwind))

    assert detail.status_code == 200
    assert northwind.submitted.reference in detail.text
    assert northwind.submitted.claim_name in detail.text
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="proof.pdf"'
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF_BYTES


# --- Methods, roles, anonymous visitors -----------------------------------------------------


@pytest.mark.parametrize("page", POST_ONLY_PAGES, ids=str)
def test_get_on_post_only_url_gives_405(client, global_admin, northwind, page):
    client.force_login(global_admin)
    before = database_state()

    response = client.get(page.url(northwind))

    assert response.status_code == 405
    assert database_state() == before


@pytest.mark.parametrize("page", READ_ONLY_PAGES, ids=str)
@pytest.mark.parametrize("persona", ["global_admin", "outsider"])
def test_post_on_read_only_url_gives_405(client, request, northwind, page, persona):
    client.force_login(request.getfixturevalue(persona))
    before = database_state()

    response = client.post(page.url(northwind))

    assert response.status_code == 405
    assert database_state() == before


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(lambda filed: reverse("request_list"), id="list"),
        pytest.param(lambda filed: reverse("request_create"), id="new"),
        pytest.param(DETAIL.url, id="detail"),
        pytest.param(lambda filed: reverse("request_export"), id="export"),
    ],
)
def test_user_without_a_cpor_role_gets_the_no_role_page(client, other_role, northwind, url):
    client.force_login(other_role)

    response = client.get(url(northwind))

    assert response.status_code == 403
    assert 'data-page="no-role"' in response.text
    assert northwind.submitted.reference not in response.text


@pytest.mark.parametrize(("page", "method"), _cases(WRITE_PAGES))
def test_user_without_a_cpor_role_changes_nothing(client, other_role, northwind, page, method):
    client.force_login(other_role)
    before = database_state()

    response = _send(client, method, page, northwind)

    assert response.status_code == 403
    assert 'data-page="no-role"' in response.text
    assert database_state() == before


APP_URLS = [
    pytest.param(lambda filed: reverse("request_list"), id="list"),
    pytest.param(lambda filed: reverse("request_create"), id="new"),
    pytest.param(lambda filed: reverse("request_export"), id="export"),
    *(pytest.param(page.url, id=str(page)) for page in REQUEST_PAGES),
]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("url", APP_URLS)
def test_anonymous_visitor_is_sent_to_log_in_everywhere(client, northwind, url, method):
    before = database_state()
    address = url(northwind)

    response = getattr(client, method)(address)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={address}"
    assert database_state() == before


# --- Lists and exports are scoped to the organisation ---------------------------------------


def _listed(client, query: str = "") -> tuple[set[str], str]:
    """The references of the list's rows, and the whole page."""
    response = client.get(reverse("request_list") + query)
    assert response.status_code == 200
    return set(re.findall(r'data-request="([^"]+)"', response.text)), response.text


def _exported(client, query: str = "") -> set[str]:
    response = client.get(reverse("request_export") + query)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "reference"
    return {row[0] for row in rows[1:]}


@pytest.mark.parametrize(
    ("persona", "own", "foreign"),
    [("global_admin", "northwind", "adatum"), ("outsider", "adatum", "northwind")],
)
def test_list_never_shows_another_organisations_requests(client, request, persona, own, foreign):
    own, foreign = request.getfixturevalue(own), request.getfixturevalue(foreign)
    client.force_login(request.getfixturevalue(persona))

    rows, page = _listed(client)
    searched, _ = _listed(client, f"?q={foreign.submitted.reference}")

    assert rows == own.references
    assert not any(reference in page for reference in foreign.references)
    assert searched == set()


@pytest.mark.parametrize(
    ("persona", "own", "foreign"),
    [("global_admin", "northwind", "adatum"), ("outsider", "adatum", "northwind")],
)
def test_export_never_contains_another_organisations_requests(
    client, request, persona, own, foreign
):
    own, foreign = request.getfixturevalue(own), request.getfixturevalue(foreign)
    client.force_login(request.getfixturevalue(persona))

    assert _exported(client) == own.references
    assert _exported(client, f"?q={foreign.submitted.reference}") == set()


# --- References that name nothing ----------------------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        "CPOR-999999",
        "garbage",
        "CPOR-",
        "CPOR-0",
        "CPOR--1",
        "CPOR-99999999999999999999999",
        # str.isdigit() accepts these, int() does not: once a 500 (ValueError).
        pytest.param("CPOR-\u00b2", id="CPOR-superscript-two"),
        pytest.param("\u00b2", id="superscript-two"),
    ],
)
@pytest.mark.parametrize(("page", "method"), _one_method_each(REQUEST_PAGES))
def test_unknown_or_malformed_reference_gives_404(
    client, global_admin, northwind, page, method, reference
):
    client.force_login(global_admin)
    before = database_state()

    response = _send(client, method, page, northwind, reference)

    assert response.status_code == 404
    assert database_state() == before


@pytest.mark.parametrize(
    "query",
    ["?q=CPOR-\u00b2", "?before=\u00b2", "?after=\u00b3", "?q=CPOR-99999999999999999999999"],
)
@pytest.mark.parametrize("name", ["request_list", "request_export"])
def test_list_and_export_ignore_malformed_references_and_cursors(
    client, global_admin, northwind, name, query
):
    client.force_login(global_admin)

    response = client.get(reverse(name) + query)
    b"".join(response)  # the export streams: its rows are only built when read

    assert response.status_code == 200
