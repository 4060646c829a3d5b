"""Bulk filing through a real browser and a real worker: template, upload, preview, filing."""

import io

import openpyxl
import pytest
from django_q.conf import Conf
from playwright.sync_api import Page, expect

from associations.bulk.spreadsheet import XLSX_TYPE
from associations.models import AssociationRequest, ClaimStatus
from tests import builders
from tests.browser.pages import log_in
from tests.worker import running_qcluster

pytestmark = [pytest.mark.browser, pytest.mark.worker]
PREVIEW_TIMEOUT_MS = 30_000


def _filled_template(path, rows: list[dict]) -> bytes:
    """The downloaded template with its example row replaced by the rows, as a partner fills it."""
    with open(path, "rb") as downloaded:  # a download's path has no extension
        workbook = openpyxl.load_workbook(io.BytesIO(downloaded.read()))
    sheet = workbook["claims"]
    header = [cell.value for cell in sheet[1]]
    for number, row in enumerate(rows, start=2):
        for column, value in row.items():
            sheet.cell(row=number, column=header.index(column) + 1, value=value)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _upload(page: Page, content: bytes) -> None:
    page.goto("/associations/bulk/")
    page.locator("#id_file").set_input_files(
        {"name": "claims.xlsx", "mimeType": XLSX_TYPE, "buffer": content}
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("[data-batch-status=ready]")).to_be_visible(timeout=PREVIEW_TIMEOUT_MS)


def test_a_partner_files_a_spreadsheet_and_a_second_upload_files_nothing_new(
    page: Page, global_admin, organisation, shared_media, monkeypatch
):
    tenant = builders.make_tenant(domains=("contoso.com",))
    sales = builders.make_product("d365-sales")
    service = builders.make_product("d365-customer-service")
    mpn = builders.make_mpn(organisation, mpn_id="1234567")
    rows = [
        builders.bulk_row(
            tenant=tenant,
            mpn=mpn,
            product=sales,
            subscription=builders.make_subscription(tenant, sales),
        ),
        builders.bulk_row(
            tenant=tenant,
            mpn=mpn,
            product=service,
            subscription=builders.make_subscription(tenant, service),
        ),
        builders.bulk_row(tenant=tenant, mpn=mpn, product=sales, subscription="not-a-guid"),
    ]
    monkeypatch.setattr(Conf, "SYNC", False)  # the live server enqueues for the real cluster

    with running_qcluster():
        log_in(page, global_admin.username)
        page.get_by_role("navigation", name="Main navigation").get_by_role(
            "link", name="Bulk filing"
        ).click()
        with page.expect_download() as download:
            page.locator("[data-template=xlsx]").click()
        content = _filled_template(download.value.path(), rows)

        _upload(page, content)
        expect(page.locator('[data-count="ok"]')).to_have_text("2")
        expect(page.locator('[data-count="error"]')).to_have_text("1")
        expect(page.locator('[data-row="4"] [data-error-column="subscription_id"]')).to_be_visible()
        page.locator("[data-action=file-batch]").click()
        expect(page.locator("[data-batch-status=filed]")).to_be_visible()

        request = AssociationRequest.objects.get()
        expect(page.locator(f'[data-filed="{request.reference}"]')).to_have_count(2)
        page.goto("/associations/bulk/")
        page.get_by_role("link", name=request.reference).click()
        expect(page.locator(f'[data-claim-status="{ClaimStatus.DRAFT}"]')).to_have_count(2)

        _upload(page, content)
        expect(page.locator('[data-count="duplicate"]')).to_have_text("2")
        expect(page.locator(f'[data-duplicate-of="{request.reference}"]')).to_have_count(2)
        expect(page.locator("[data-action=file-batch]")).to_have_count(0)

    assert AssociationRequest.objects.count() == 1
    assert request.claims.count() == 2
