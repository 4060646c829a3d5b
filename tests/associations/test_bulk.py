"""Bulk filing: template, upload checks, the worker's preview, all-or-none filing, access."""

import io
import zipfile

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from associations.bulk import tasks
from associations.forms import RequestForm
from associations.models import AssociationRequest, Batch, BatchRow, Claim, ClaimStatus
from partners.catalog import SolutionArea
from partners.models import Enrolment
from tests.builders import (
    bulk_csv,
    bulk_row,
    bulk_xlsx,
    make_mpn,
    make_product,
    make_request,
    make_subscription,
    make_tenant,
    make_user,
    pdf_upload,
)

HOME = reverse("bulk_home")


@pytest.fixture
def customer(db):
    tenant = make_tenant(domains=("contoso.com",))
    sales = make_product("d365-sales")
    service = make_product("d365-customer-service")
    return (
        tenant,
        sales,
        service,
        make_subscription(tenant, sales),
        make_subscription(tenant, service),
    )


@pytest.fixture
def mpn(organisation):
    return make_mpn(organisation, mpn_id="1234567")


def _upload(client, content: bytes, name: str = "claims.xlsx", callbacks=None):
    file = SimpleUploadedFile(name, content)
    if callbacks is None:
        return client.post(HOME, {"file": file})
    with callbacks(execute=True):  # the worker's task runs at commit (sync in the tests)
        return client.post(HOME, {"file": file})


def _file(client, batch_id: int, callbacks, *, follow: bool = False):
    """Ask for the filing; the worker's task runs at commit (sync in the tests), then the page
    it redirects to is read when `follow`."""
    with callbacks(execute=True):
        response = client.post(reverse("batch_file", args=[batch_id]))
    return client.get(response.url) if follow else response


def _rows(customer, mpn, **overrides):
    tenant, sales, service, sales_sub, service_sub = customer
    return [
        bulk_row(tenant=tenant, mpn=mpn, product=sales, subscription=sales_sub, **overrides),
        bulk_row(tenant=tenant, mpn=mpn, product=service, subscription=service_sub, **overrides),
    ]


# The template


def test_the_xlsx_template_has_the_header_lists_of_choices_and_an_example_row(
    client, global_admin, mpn, customer
):
    client.force_login(global_admin)
    response = client.get(reverse("bulk_template", args=["xlsx"]))

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["claims"]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["claim_name", "tenant_id", "domain"]
    assert sheet.cell(row=2, column=header.index("mpn_id") + 1).value == "1234567"
    lists = workbook["lists"]
    assert lists.sheet_state == "hidden"
    values = {cell.value for column in lists.iter_cols() for cell in column}
    assert {"Business Applications", "Pre-sales", "1234567", "D365 Sales"} <= values
    formulas = {v.formula1 for v in sheet.data_validations.dataValidation}
    assert len(formulas) == 4


def test_the_csv_template_is_utf8_with_the_header_and_the_example(client, billing_admin, mpn):
    client.force_login(billing_admin)  # the template is for every CPOR role
    response = client.get(reverse("bulk_template", args=["csv"]))

    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("claim_name,tenant_id,domain")
    assert "Nováková" in text


def test_an_unknown_template_kind_is_404(client, global_admin):
    client.force_login(global_admin)
    assert client.get(reverse("bulk_template", args=["exe"])).status_code == 404


# Uploads that are refused, with nothing stored


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("claims.xlsx", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 50, "does not match its file type"),
        ("claims.csv", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 50, "does not match its file type"),
        ("claims.exe", b"MZ\x90\x00", "not a spreadsheet"),
        ("claims.csv", b"", "is empty"),
        ("claims.csv", b"\n\n", "is empty"),
        ("claims.csv", b"name,tenant\nx,y\n", "missing columns: claim_name"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_stored(
    client, global_admin, name, content, message
):
    client.force_login(global_admin)
    response = _upload(client, content, name)

    assert response.status_code == 400
    assert message in response.text
    assert not Batch.objects.exists()


def test_a_header_with_an_unknown_column_is_refused(client, global_admin, customer, mpn):
    from associations.bulk.spreadsheet import COLUMNS

    client.force_login(global_admin)
    content = bulk_xlsx(_rows(customer, mpn), header=[*COLUMNS, "discount"])
    response = _upload(client, content)

    assert response.status_code == 400
    assert "unknown columns: discount" in response.text
    assert not Batch.objects.exists()


def test_a_file_over_the_row_limit_is_refused(client, global_admin, customer, mpn, settings):
    settings.CPOR_BULK_MAX_ROWS = 1
    client.force_login(global_admin)
    response = _upload(client, bulk_xlsx(_rows(customer, mpn)))

    assert response.status_code == 400
    assert "has more than 1 rows" in response.text
    assert not Batch.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, global_admin, customer, mpn, settings):
    settings.CPOR_BULK_MAX_BYTES = 100
    client.force_login(global_admin)
    response = _upload(client, bulk_csv(_rows(customer, mpn)), "claims.csv")

    assert response.status_code == 400
    assert "the limit is 100" in response.text
    assert not Batch.objects.exists()


def test_an_xlsx_bomb_is_refused_from_the_zip_directory_before_it_is_parsed(
    client, global_admin, customer, mpn, settings
):
    """A huge shared-strings part compresses to almost nothing."""
    settings.CPOR_BULK_MAX_UNPACKED_BYTES = 1024 * 1024
    original = zipfile.ZipFile(io.BytesIO(bulk_xlsx(_rows(customer, mpn))))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in original.infolist():
            bomb.writestr(info, original.read(info))
        bomb.writestr("xl/sharedStrings2.xml", b"<si><t>x</t></si>" * 200_000)
    client.force_login(global_admin)
    response = _upload(client, output.getvalue())

    assert response.status_code == 400
    assert "would unpack to" in response.text
    assert not Batch.objects.exists()


def test_a_forged_dimension_record_does_not_widen_the_rows(
    client, global_admin, customer, mpn, django_capture_on_commit_callbacks
):
    """A sheet that claims A1:XFD1048576 is read as its real rows."""
    original = zipfile.ZipFile(io.BytesIO(bulk_xlsx(_rows(customer, mpn))))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as forged:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b'<dimension ref="A1:R3"/>', b'<dimension ref="A1:XFD1048576"/>'
                )
                assert b"XFD1048576" in data
            forged.writestr(info, data)
    client.force_login(global_admin)
    response = _upload(client, output.getvalue(), callbacks=django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert Batch.objects.get().total_rows == 2


def test_a_utf16_csv_with_czech_names_is_decoded(
    client, global_admin, customer, mpn, django_capture_on_commit_callbacks
):
    rows = _rows(customer, mpn, customer_contact_name="Jiří Šťastný")
    client.force_login(global_admin)
    response = _upload(
        client,
        b"\xff\xfe" + bulk_csv(rows, encoding="utf-16-le", delimiter="\t"),
        "claims.csv",
        callbacks=django_capture_on_commit_callbacks,
    )

    assert response.status_code == 302
    batch = Batch.objects.get()
    assert batch.rows.first().cells["customer_contact_name"] == "Jiří Šťastný"
    assert batch.ok_count == 2


def test_a_windows_1250_csv_is_refused_clearly(client, global_admin, customer, mpn):
    rows = _rows(customer, mpn, customer_contact_name="Jiří Šťastný")
    client.force_login(global_admin)
    response = _upload(client, bulk_csv(rows, encoding="cp1250", delimiter=";"), "claims.csv")

    assert response.status_code == 400
    assert "is not UTF-8 text" in response.text
    assert "CSV UTF-8" in response.text
    assert not Batch.objects.exists()


def test_a_semicolon_csv_as_czech_excel_saves_it_is_read(
    client, global_admin, customer, mpn, django_capture_on_commit_callbacks
):
    client.force_login(global_admin)
    _upload(
        client,
        "\ufeff".encode() + bulk_csv(_rows(customer, mpn), delimiter=";"),
        "claims.csv",
        callbacks=django_capture_on_commit_callbacks,
    )

    assert Batch.objects.get().ok_count == 2


# The preview


def test_the_worker_previews_each_row_with_the_forms_messages_and_the_checks(
    client, global_admin, organisation, customer, mpn, django_capture_on_commit_callbacks
):
    tenant, sales, service, sales_sub, _service_sub = customer
    rows = [
        bulk_row(tenant=tenant, mpn=mpn, product=sales, subscription=sales_sub),
        bulk_row(tenant=tenant, mpn=mpn, product=service, subscription="not-a-guid"),
        bulk_row(tenant=tenant, mpn=mpn, product=sales, subscription=sales_sub, domain="x.example"),
        bulk_row(tenant=tenant, mpn=mpn, product=sales, subscription=sales_sub, activity="Dancing"),
    ]
    rows[1]["subscription_id"] = "not-a-guid"
    client.force_login(global_admin)
    response = _upload(client, bulk_xlsx(rows), callbacks=django_capture_on_commit_callbacks)
    batch = Batch.objects.get()

    assert response.url == reverse("batch_detail", args=[batch.pk])
    assert (batch.status, batch.ok_count, batch.error_count) == ("ready", 1, 3)
    by_number = {row.number: row for row in batch.rows.all()}
    assert by_number[2].verdict == "ok"
    assert by_number[3].errors == [
        [
            "subscription_id",
            "This is not a subscription ID: it must be a GUID such as "
            "5ab00000-0000-4000-8000-c10000000001.",
        ]
    ]
    assert by_number[4].checks == ["domain_tenant_mismatch"]
    assert by_number[5].errors[0][0] == "activity"
    page = client.get(reverse("batch_detail", args=[batch.pk]))
    assert 'data-check="domain_tenant_mismatch"' in page.text
    assert 'data-count="error">3<' in page.text
    errors_only = client.get(reverse("batch_detail", args=[batch.pk]), {"verdict": "error"})
    assert 'data-verdict="ok"' not in errors_only.text
    assert errors_only.text.count('data-verdict="error"') == 3


def test_a_competing_claim_is_a_warning_that_names_no_partner(
    client,
    global_admin,
    organisation,
    other_organisation,
    customer,
    mpn,
    django_capture_on_commit_callbacks,
):
    tenant, sales, _service, sales_sub, _ = customer
    rival = make_user(other_organisation)
    make_request(other_organisation, rival, tenant=tenant, products=[(sales, str(sales_sub.pk))])
    client.force_login(global_admin)
    _upload(
        client,
        bulk_xlsx([bulk_row(tenant=tenant, mpn=mpn, product=sales, subscription=sales_sub)]),
        callbacks=django_capture_on_commit_callbacks,
    )
    batch = Batch.objects.get()
    page = client.get(reverse("batch_detail", args=[batch.pk]))

    assert batch.rows.get().verdict == "warning"
    assert 'data-competition="true"' in page.text
    assert other_organisation.name not in page.text


def test_the_preview_pages_its_rows(
    client, global_admin, customer, mpn, django_capture_on_commit_callbacks
):
    tenant, sales, *_ = customer
    rows = [
        bulk_row(tenant=tenant, mpn=mpn, product=sales, subscription=f"bad-{n}") for n in range(60)
    ]
    client.force_login(global_admin)
    _upload(client, bulk_csv(rows), "claims.csv", callbacks=django_capture_on_commit_callbacks)
    batch = Batch.objects.get()

    first = client.get(reverse("batch_detail", args=[batch.pk]))
    second = client.get(reverse("batch_detail", args=[batch.pk]), {"page": "2"})
    assert first.text.count("data-row=") == 50
    assert second.text.count("data-row=") == 10
    assert client.get(reverse("batch_detail", args=[batch.pk]), {"page": "x"}).status_code == 200


def test_a_batch_waiting_for_the_worker_shows_its_progress_and_refreshes(
    client, global_admin, customer, mpn
):
    client.force_login(global_admin)
    _upload(client, bulk_xlsx(_rows(customer, mpn)))  # not committed: the task never ran
    batch = Batch.objects.get()
    page = client.get(reverse("batch_detail", args=[batch.pk]))

    assert batch.status == "queued"
    assert "data-refresh-seconds" in page.text
    assert "0 of 2" in page.text
    assert "js/refresh.js" in page.text


def test_a_formula_is_read_as_text_and_neutralised_in_the_error_download(
    client, global_admin, customer, mpn, django_capture_on_commit_callbacks
):
    tenant, sales, *_ = customer
    row = bulk_row(tenant=tenant, mpn=mpn, product=sales, subscription="=HYPERLINK(1)")
    row["claim_name"] = "@SUM(A1)"
    client.force_login(global_admin)
    _upload(client, bulk_xlsx([row]), callbacks=django_capture_on_commit_callbacks)
    batch = Batch.objects.get()
    assert batch.rows.get().cells["subscription_id"] == "=HYPERLINK(1)"

    as_csv = client.get(reverse("batch_errors", args=[batch.pk, "csv"]))
    as_xlsx = client.get(reverse("batch_errors", args=[batch.pk, "xlsx"]))

    text = as_csv.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    assert "'@SUM(A1)" in text
    assert text.splitlines()[0].endswith(",errors")
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    values = [cell.value for cell in sheet[2]]
    assert "'=HYPERLINK(1)" in values
    assert "subscription_id: This is not a subscription ID" in values[-1]


def test_the_error_download_can_be_uploaded_again_once_fixed(
    client, global_admin, customer, mpn, django_capture_on_commit_callbacks
):
    tenant, sales, _service, sales_sub, _ = customer
    bad = bulk_row(tenant=tenant, mpn=mpn, product=sales, subscription="nope")
    client.force_login(global_admin)
    _upload(client, bulk_xlsx([bad]), callbacks=django_capture_on_commit_callbacks)
    first = Batch.objects.get()
    download = client.get(reverse("batch_errors", args=[first.pk, "xlsx"]))
    workbook = openpyxl.load_workbook(io.BytesIO(download.content))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("subscription_id") + 1, value=str(sales_sub.pk))
    fixed = io.BytesIO()
    workbook.save(fixed)

    _upload(client, fixed.getvalue(), callbacks=django_capture_on_commit_callbacks)

    assert Batch.objects.exclude(pk=first.pk).get().ok_count == 1


# Filing


def test_filing_creates_one_draft_request_per_request_key_with_several_claims(
    client, global_admin, organisation, customer, mpn, django_capture_on_commit_callbacks
):
    tenant, sales, *_ = customer
    rows = [
        *_rows(customer, mpn),
        bulk_row(tenant=tenant, mpn=mpn, product=sales, subscription="x"),
    ]
    client.force_login(global_admin)
    _upload(client, bulk_xlsx(rows), callbacks=django_capture_on_commit_callbacks)
    batch = Batch.objects.get()

    response = _file(client, batch.pk, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    request = AssociationRequest.objects.get()
    assert request.author == global_admin
    assert sorted(request.claims.values_list("status", flat=True)) == ["draft", "draft"]
    batch.refresh_from_db()
    assert batch.status == "filed"
    assert list(batch.requests.all()) == [request]
    home = client.get(HOME)
    assert request.reference in home.text
    assert "claims.xlsx" in home.text


def test_the_same_file_uploaded_twice_files_nothing_new(
    client, global_admin, customer, mpn, django_capture_on_commit_callbacks
):
    content = bulk_xlsx(_rows(customer, mpn))
    client.force_login(global_admin)
    _upload(client, content, callbacks=django_capture_on_commit_callbacks)
    _file(client, Batch.objects.get().pk, django_capture_on_commit_callbacks)

    _upload(client, content, callbacks=django_capture_on_commit_callbacks)
    second = Batch.objects.order_by("pk").last()
    page = client.get(reverse("batch_detail", args=[second.pk]))
    response = _file(client, second.pk, django_capture_on_commit_callbacks, follow=True)

    assert (second.duplicate_count, second.ok_count) == (2, 0)
    reference = AssociationRequest.objects.get().reference
    assert f'data-duplicate-of="{reference}"' in page.text
    assert "Nothing was filed" in response.text
    assert Claim.objects.count() == 2


def test_filing_is_all_or_none_with_the_reason(
    client, global_admin, organisation, customer, mpn, django_capture_on_commit_callbacks
):
    """A row that passed the preview but no longer does (its MPN ID left the program) stops the
    whole batch; the other request key files nothing either."""
    tenant, sales, _service, sales_sub, _ = customer
    other_mpn = make_mpn(organisation, mpn_id="7654321")
    rows = [
        bulk_row(tenant=tenant, mpn=mpn, product=sales, subscription=sales_sub),
        bulk_row(tenant=tenant, mpn=other_mpn, product=sales, subscription=sales_sub),
    ]
    client.force_login(global_admin)
    _upload(client, bulk_xlsx(rows), callbacks=django_capture_on_commit_callbacks)
    batch = Batch.objects.get()
    assert batch.ok_count == 2
    Enrolment.objects.filter(mpn=other_mpn).delete()

    response = _file(client, batch.pk, django_capture_on_commit_callbacks, follow=True)

    assert "Nothing was filed" in response.text
    assert "row 3" in response.text
    assert not AssociationRequest.objects.exists()
    batch.refresh_from_db()
    assert batch.status == "ready"


def test_a_filed_batch_cannot_be_filed_again(
    client, global_admin, customer, mpn, django_capture_on_commit_callbacks
):
    client.force_login(global_admin)
    _upload(client, bulk_xlsx(_rows(customer, mpn)), callbacks=django_capture_on_commit_callbacks)
    batch = Batch.objects.get()
    _file(client, batch.pk, django_capture_on_commit_callbacks)

    response = _file(client, batch.pk, django_capture_on_commit_callbacks, follow=True)

    assert "already filed" in response.text
    assert AssociationRequest.objects.count() == 1


def test_a_microsoft_365_row_is_claimed_per_tenant(
    client, global_admin, organisation, django_capture_on_commit_callbacks
):
    tenant = make_tenant(domains=("contoso.com",))
    exchange = make_product("m365-exchange", SolutionArea.MICROSOFT_365)
    make_subscription(tenant, exchange)
    mpn = make_mpn(organisation, enrolled_in=(SolutionArea.MICROSOFT_365,))
    row = bulk_row(
        tenant=tenant,
        mpn=mpn,
        product=exchange,
        solution_area="microsoft_365",
        activity="usage",
        opt_out_of_incentives="yes",
    )
    client.force_login(global_admin)
    _upload(client, bulk_csv([row]), "claims.csv", callbacks=django_capture_on_commit_callbacks)
    batch = Batch.objects.get()
    _file(client, batch.pk, django_capture_on_commit_callbacks)

    request = AssociationRequest.objects.get()
    assert request.opt_out_of_incentives is True
    assert request.claims.get().subscription_id is None


# Bad input, access


def test_a_nul_byte_and_an_over_long_value_are_row_errors(
    client, global_admin, customer, mpn, django_capture_on_commit_callbacks
):
    tenant, sales, _service, sales_sub, _ = customer
    rows = [
        bulk_row(
            tenant=tenant, mpn=mpn, product=sales, subscription=sales_sub, claim_name="a\x00b"
        ),
        bulk_row(
            tenant=tenant, mpn=mpn, product=sales, subscription=sales_sub, claim_name="x" * 500
        ),
    ]
    client.force_login(global_admin)
    response = _upload(
        client, bulk_csv(rows), "claims.csv", callbacks=django_capture_on_commit_callbacks
    )

    assert response.status_code == 400  # a NUL byte in a CSV: not text
    assert not Batch.objects.exists()
    _upload(client, bulk_xlsx(rows[1:]), callbacks=django_capture_on_commit_callbacks)
    row = Batch.objects.get().rows.get()
    assert row.verdict == BatchRow.Verdict.ERROR
    assert row.errors[0][0] == "claim_name"
    assert "at most 200 characters" in row.errors[0][1]


def _edited_xlsx(content: bytes, part: str, old: bytes, new: bytes) -> bytes:
    original = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as edited:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == part:
                assert old in data
                data = data.replace(old, new)
            edited.writestr(info, data)
    return output.getvalue()


def test_an_xlsx_with_broken_xml_is_refused(client, global_admin, customer, mpn):
    tenant, sales, _service, sales_sub, _ = customer
    row = bulk_row(tenant=tenant, mpn=mpn, product=sales, subscription=sales_sub)
    content = _edited_xlsx(
        bulk_xlsx([row]), "xl/worksheets/sheet1.xml", b"Alex Customer", b"Alex <&"
    )
    client.force_login(global_admin)
    response = _upload(client, content)

    assert response.status_code == 400
    assert "could not be read as an XLSX workbook" in response.text


def test_a_non_numeric_batch_id_is_404(client, global_admin):
    client.force_login(global_admin)
    assert client.get("/associations/bulk/abc/").status_code == 404
    assert client.post("/associations/bulk/abc/file/").status_code == 404


@pytest.fixture
def ready_batch(client, global_admin, customer, mpn, django_capture_on_commit_callbacks):
    client.force_login(global_admin)
    _upload(client, bulk_xlsx(_rows(customer, mpn)), callbacks=django_capture_on_commit_callbacks)
    client.logout()
    return Batch.objects.get()


def test_outsider_gets_404_and_nothing_changes(client, outsider, ready_batch):
    client.force_login(outsider)

    for url in (
        reverse("batch_detail", args=[ready_batch.pk]),
        reverse("batch_errors", args=[ready_batch.pk, "csv"]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("batch_file", args=[ready_batch.pk])).status_code == 404
    assert "claims.xlsx" not in client.get(HOME).text
    ready_batch.refresh_from_db()
    assert ready_batch.status == "ready"
    assert not AssociationRequest.objects.exists()


def test_billing_admin_gets_403_on_write(client, billing_admin, ready_batch):
    client.force_login(billing_admin)

    assert client.get(HOME).status_code == 403
    assert client.post(reverse("batch_file", args=[ready_batch.pk])).status_code == 403
    assert client.get(reverse("batch_detail", args=[ready_batch.pk])).status_code == 403
    assert not AssociationRequest.objects.exists()


def test_other_role_gets_the_ask_your_admin_page(client, other_role):
    client.force_login(other_role)

    assert client.get(HOME).status_code == 403
    assert client.get(reverse("bulk_template", args=["xlsx"])).status_code == 403


def test_incentives_admin_may_file(
    client, incentives_admin, ready_batch, django_capture_on_commit_callbacks
):
    client.force_login(incentives_admin)

    _file(client, ready_batch.pk, django_capture_on_commit_callbacks)

    assert AssociationRequest.objects.get().author == incentives_admin


def test_get_on_post_only_url_gives_405(client, global_admin, ready_batch):
    client.force_login(global_admin)
    assert client.get(reverse("batch_file", args=[ready_batch.pk])).status_code == 405


@pytest.mark.parametrize("count", [1, 4])
def test_the_batch_list_runs_a_fixed_number_of_queries(
    client,
    global_admin,
    customer,
    mpn,
    count,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    client.force_login(global_admin)
    for _ in range(count):
        _upload(
            client, bulk_xlsx(_rows(customer, mpn)), callbacks=django_capture_on_commit_callbacks
        )
    _file(client, Batch.objects.first().pk, django_capture_on_commit_callbacks)

    # session, user with membership and organisation, batches with authors, their requests
    with django_assert_num_queries(4):
        client.get(HOME)


# Submitting at once, with one proof for the whole batch


def _proof(**overrides):
    data = {
        "proof_description": "Deployments for every customer, signed.",
        "documents": pdf_upload(),
        "ack_customer_signature": "on",
        "ack_current_dates": "on",
        "ack_partner_services": "on",
        "ack_all_products": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_batch_submitted_with_one_proof_runs_the_checks_of_every_request(
    client, global_admin, ready_batch, django_capture_on_commit_callbacks
):
    client.force_login(global_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("batch_submit", args=[ready_batch.pk]), _proof())

    assert response.status_code == 302
    request = AssociationRequest.objects.get()
    assert request.submitted_at is not None
    assert request.proof_description == "Deployments for every customer, signed."
    assert request.ack_all_products is True
    assert request.proofs.get().documents.count() == 1
    assert sorted(request.claims.values_list("status", flat=True)) == [
        ClaimStatus.UNDER_REVIEW,
        ClaimStatus.UNDER_REVIEW,
    ]


@pytest.mark.parametrize("missing", ["documents", "ack_customer_signature", "proof_description"])
def test_submitting_without_the_proof_or_an_acknowledgement_files_nothing(
    client, global_admin, ready_batch, missing
):
    client.force_login(global_admin)
    response = client.post(
        reverse("batch_submit", args=[ready_batch.pk]), _proof(**{missing: None})
    )

    assert response.status_code == 400
    assert 'id="submit-at-once" open' in response.text
    assert not AssociationRequest.objects.exists()


def test_a_renamed_executable_as_the_batch_proof_is_refused(client, global_admin, ready_batch):
    fake = SimpleUploadedFile("proof.pdf", b"MZ\x90\x00" * 100)
    client.force_login(global_admin)
    response = client.post(reverse("batch_submit", args=[ready_batch.pk]), _proof(documents=fake))

    assert response.status_code == 400
    assert "does not match its file type" in response.text
    assert not AssociationRequest.objects.exists()


def test_outsider_and_billing_admin_cannot_submit_a_batch(
    client, outsider, billing_admin, ready_batch
):
    url = reverse("batch_submit", args=[ready_batch.pk])
    client.force_login(outsider)
    assert client.post(url, _proof()).status_code == 404
    client.force_login(billing_admin)
    assert client.post(url, _proof()).status_code == 403
    assert client.get(url).status_code == 405
    assert not AssociationRequest.objects.exists()


def test_a_nul_byte_in_a_utf16_csv_is_refused(client, global_admin, customer, mpn):
    rows = _rows(customer, mpn, customer_contact_name="Alex\x00")
    client.force_login(global_admin)
    response = _upload(client, b"\xff\xfe" + bulk_csv(rows, encoding="utf-16-le"), "claims.csv")

    assert response.status_code == 400
    assert "does not match its file type" in response.text
    assert not Batch.objects.exists()


@pytest.mark.parametrize("count", [1, 60])
def test_the_preview_runs_a_fixed_number_of_queries(
    client,
    global_admin,
    customer,
    mpn,
    count,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    tenant, sales, *_ = customer
    rows = [
        bulk_row(tenant=tenant, mpn=mpn, product=sales, subscription=f"x{n}") for n in range(count)
    ]
    client.force_login(global_admin)
    _upload(client, bulk_csv(rows), "claims.csv", callbacks=django_capture_on_commit_callbacks)
    batch = Batch.objects.get()

    # session, user with membership and organisation, the batch, the rows' count, the page
    with django_assert_num_queries(5):
        client.get(reverse("batch_detail", args=[batch.pk]))


def test_an_upload_the_broker_refuses_is_parsed_once_it_is_back(
    client, global_admin, customer, mpn, monkeypatch, django_capture_on_commit_callbacks
):
    """The closed port plays a Redis broker down; the scheduler then runs the one-off retry."""
    from django.utils import timezone
    from django_q.brokers import get_broker
    from django_q.conf import Conf
    from django_q.models import Schedule
    from django_q.scheduler import scheduler

    for name, value in {"SYNC": False, "ORM": None, "REDIS": "redis://127.0.0.1:1/15"}.items():
        monkeypatch.setattr(Conf, name, value)
    client.force_login(global_admin)
    _upload(client, bulk_xlsx(_rows(customer, mpn)), callbacks=django_capture_on_commit_callbacks)
    batch = Batch.objects.get()
    retry = Schedule.objects.get(func="associations.bulk.tasks.parse_batch")
    assert batch.status == "queued"

    monkeypatch.undo()
    Schedule.objects.filter(pk=retry.pk).update(next_run=timezone.now())
    scheduler(broker=get_broker())

    batch.refresh_from_db()
    assert (batch.status, batch.ok_count) == ("ready", 2)


def test_the_rows_messages_are_in_the_uploaders_language(
    client, global_admin, organisation, customer, mpn, settings, django_capture_on_commit_callbacks
):
    """The worker writes them in the language the partner uploaded in, not its own."""
    from django.utils import translation

    tenant, sales, *_ = customer
    row = bulk_row(tenant=tenant, mpn=mpn, product=sales, subscription="nope", claim_name="x" * 201)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cs"
    client.force_login(global_admin)
    _upload(client, bulk_xlsx([row]), callbacks=django_capture_on_commit_callbacks)

    with translation.override("cs"):
        form = RequestForm({"claim_name": "x" * 201}, organisation=organisation)
        expected = form.errors["claim_name"][0]
    messages = [message for _column, message in Batch.objects.get().rows.get().errors]
    assert expected in messages
    assert not any("at most" in message for message in messages)


def test_the_worker_assesses_a_batch_in_chunks_of_whole_request_keys(
    client, global_admin, organisation, customer, mpn, monkeypatch
):
    """Each task stays inside the cluster's timeout and shows its progress; a task delivered
    again once the batch is read does nothing."""
    from associations.bulk import services

    tenant, sales, *_ = customer
    other_mpn = make_mpn(organisation, mpn_id="7654321")
    rows = [
        *_rows(customer, mpn),
        bulk_row(tenant=tenant, mpn=other_mpn, product=sales, subscription="x"),
    ]
    monkeypatch.setattr(services, "CHUNK_ROWS", 1)
    client.force_login(global_admin)
    _upload(client, bulk_xlsx(rows))  # the test transaction never commits: we run the tasks
    batch = Batch.objects.get()

    first = services.batch_parse(batch_id=batch.pk)
    assert (first.status, first.progress, first.total_rows) == ("parsing", 2, 3)
    assert sorted(batch.rows.values_list("number", flat=True)) == [2, 3]
    page = client.get(reverse("batch_detail", args=[batch.pk]))
    assert "2 of 3" in page.text

    second = services.batch_parse(batch_id=batch.pk)
    assert (second.status, second.ok_count, second.error_count) == ("ready", 2, 1)
    assert services.batch_parse(batch_id=batch.pk) is None
    assert batch.rows.count() == 3


def test_a_draft_is_filed_though_its_subscription_lapsed_since_the_preview(
    client, global_admin, customer, mpn, django_capture_on_commit_callbacks
):
    """Filing a draft needs the forms to pass; the directory checks run when it is submitted."""
    from validation.models import Subscription, SubscriptionState

    client.force_login(global_admin)
    _upload(client, bulk_xlsx(_rows(customer, mpn)), callbacks=django_capture_on_commit_callbacks)
    Subscription.objects.update(state=SubscriptionState.EXPIRED)

    _file(client, Batch.objects.get().pk, django_capture_on_commit_callbacks)

    assert AssociationRequest.objects.get().claims.count() == 2


# Filing in the worker


def test_a_batch_filed_twice_at_once_is_filed_once(
    client, global_admin, ready_batch, django_capture_on_commit_callbacks
):
    """Two clicks or two tabs: the first queues the filing, the second is told it is under way;
    the task delivered twice files once."""
    client.force_login(global_admin)
    with django_capture_on_commit_callbacks() as queued:
        client.post(reverse("batch_file", args=[ready_batch.pk]))
    second = client.post(reverse("batch_file", args=[ready_batch.pk]), follow=True)
    page = client.get(reverse("batch_detail", args=[ready_batch.pk]))

    assert "already being filed" in second.text
    assert "Filing the rows without errors: 0 of 2" in page.text
    assert "data-refresh-seconds" in page.text
    assert len(queued) == 1
    assert [tasks.file_batch(ready_batch.pk), tasks.file_batch(ready_batch.pk)] == [
        "done",
        "skipped",
    ]
    assert AssociationRequest.objects.count() == 1
    assert Claim.objects.count() == 2
    page = client.get(reverse("batch_detail", args=[ready_batch.pk]))
    assert "Filed as drafts on" in page.text
    assert "data-refresh-seconds" not in page.text


def test_the_filing_progress_is_shown_from_the_cache(client, global_admin, ready_batch):
    Batch.objects.filter(pk=ready_batch.pk).update(status=Batch.Status.FILING)
    cache.set(f"cpor:batch-filing:{ready_batch.pk}", 1)
    client.force_login(global_admin)

    page = client.get(reverse("batch_detail", args=[ready_batch.pk]))

    assert "Filing the rows without errors: 1 of 2" in page.text
    assert 'aria-valuenow="1"' in page.text


def test_a_refused_filing_shows_its_reason_on_the_batch_and_can_be_filed_again(
    client, global_admin, organisation, customer, mpn, django_capture_on_commit_callbacks
):
    client.force_login(global_admin)
    _upload(client, bulk_xlsx(_rows(customer, mpn)), callbacks=django_capture_on_commit_callbacks)
    batch = Batch.objects.get()
    enrolments = list(Enrolment.objects.filter(mpn=mpn))
    Enrolment.objects.filter(mpn=mpn).delete()

    refused = _file(client, batch.pk, django_capture_on_commit_callbacks, follow=True)
    Enrolment.objects.bulk_create(enrolments)
    filed = _file(client, batch.pk, django_capture_on_commit_callbacks, follow=True)

    assert 'data-refusal="true"' in refused.text
    assert "row 2" in refused.text
    assert 'data-refusal="true"' not in filed.text
    assert AssociationRequest.objects.count() == 1


def test_a_batch_still_being_read_cannot_be_filed(client, global_admin, customer, mpn):
    client.force_login(global_admin)
    _upload(client, bulk_xlsx(_rows(customer, mpn)))  # the parse never ran
    batch = Batch.objects.get()

    response = client.post(reverse("batch_file", args=[batch.pk]), follow=True)

    assert "still being read" in response.text
    batch.refresh_from_db()
    assert batch.status == "queued"


def _customers(count: int, mpn) -> list[dict]:
    """One request key a customer, each its own tenant with a subscription of the product."""
    product = make_product("d365-sales")
    rows = []
    for index in range(count):
        tenant = make_tenant(domains=(f"customer{index}.example",))
        rows.append(
            bulk_row(
                tenant=tenant,
                mpn=mpn,
                product=product,
                subscription=make_subscription(tenant, product),
            )
        )
    return rows


def test_a_chunk_is_assessed_in_the_same_queries_whatever_its_request_keys(
    organisation, mpn, shared_media
):
    """The look-ups are per chunk, not per request key: ten customers cost what one does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from associations.bulk.rows import Lookups, assess
    from associations.bulk.spreadsheet import Row

    rows = [Row(number=index + 2, cells=cells) for index, cells in enumerate(_customers(11, mpn))]
    counts = []
    for chunk in (rows[:1], rows[1:]):
        with CaptureQueriesContext(connection) as queries:
            assessed = assess(organisation, chunk, Lookups(organisation))
        assert {item.verdict for item in assessed} == {BatchRow.Verdict.OK}
        counts.append(len(queries))

    assert counts[0] == counts[1]


# Stuck batches and the proof template


def test_a_batch_stuck_in_the_worker_for_an_hour_is_swept_as_failed_with_the_reason(
    client, global_admin, ready_batch
):
    from datetime import timedelta

    from django.utils import timezone
    from django_q.models import Schedule

    from associations.bulk.services import STUCK_AFTER

    now = timezone.now()
    Batch.objects.filter(pk=ready_batch.pk).update(
        status=Batch.Status.FILING, moved_at=now - STUCK_AFTER - timedelta(minutes=1)
    )
    recent = Batch.objects.create(
        organisation=ready_batch.organisation,
        author=ready_batch.author,
        original_name="recent.xlsx",
        file=ready_batch.file.name,
        status=Batch.Status.PARSING,
        moved_at=now - timedelta(minutes=5),
    )

    assert tasks.sweep_batches() == 1
    assert tasks.sweep_batches() == 0

    ready_batch.refresh_from_db()
    recent.refresh_from_db()
    assert (ready_batch.status, recent.status) == ("failed", "parsing")
    assert "stopped filing" in ready_batch.failure
    client.force_login(global_admin)
    page = client.get(reverse("batch_detail", args=[ready_batch.pk]))
    assert "The worker stopped filing these rows. Nothing was filed" in page.text
    assert "data-refresh-seconds" not in page.text
    assert Schedule.objects.filter(func="associations.bulk.tasks.sweep_batches").exists()


def test_a_batch_stuck_reading_is_swept_with_its_own_reason(ready_batch):
    from datetime import timedelta

    from django.utils import timezone

    Batch.objects.filter(pk=ready_batch.pk).update(
        status=Batch.Status.QUEUED, moved_at=timezone.now() - timedelta(hours=2)
    )

    tasks.sweep_batches()

    ready_batch.refresh_from_db()
    assert ready_batch.status == "failed"
    assert "stopped reading this file" in ready_batch.failure


def test_each_filed_request_offers_its_proof_template_on_the_batch_page(
    client, global_admin, outsider, ready_batch, django_capture_on_commit_callbacks
):
    client.force_login(global_admin)
    _file(client, ready_batch.pk, django_capture_on_commit_callbacks)
    request = AssociationRequest.objects.get()

    page = client.get(reverse("batch_detail", args=[ready_batch.pk]))
    docx = client.get(reverse("proof_template", args=[request.reference, "docx"]))

    assert page.text.count(f'data-proof-template="{request.reference}"') == 2
    assert reverse("proof_template", args=[request.reference, "pdf"]) in page.text
    assert docx.status_code == 200
    request.claims.update(status=ClaimStatus.WITHDRAWN)
    page = client.get(reverse("batch_detail", args=[ready_batch.pk]))
    assert "data-proof-template" not in page.text
    client.force_login(outsider)
    assert (
        client.get(reverse("proof_template", args=[request.reference, "docx"])).status_code == 404
    )


def test_the_file_is_read_once_for_all_the_chunks_and_again_if_the_cache_lost_it(
    client, global_admin, organisation, mpn, monkeypatch
):
    from django.core.files.base import ContentFile

    from associations.bulk import services

    content = bulk_xlsx(_customers(3, mpn))
    monkeypatch.setattr(services, "CHUNK_ROWS", 1)
    client.force_login(global_admin)
    _upload(client, content)  # the test transaction never commits: we run the tasks
    batch = Batch.objects.get()
    storage, name = batch.file.storage, batch.file.name

    services.batch_parse(batch_id=batch.pk)
    storage.delete(name)
    storage.save(name, ContentFile(b"not a spreadsheet any more"))
    second = services.batch_parse(batch_id=batch.pk)
    cache.clear()
    storage.delete(name)
    storage.save(name, ContentFile(content))
    third = services.batch_parse(batch_id=batch.pk)

    assert (second.status, second.progress) == ("parsing", 2)
    assert (third.status, third.ok_count) == ("ready", 3)
    assert cache.get(f"cpor:batch-rows:{batch.pk}") is None


def test_a_batch_submitted_at_once_gives_every_request_its_own_copy_of_the_proof(
    client, global_admin, mpn, django_capture_on_commit_callbacks
):
    client.force_login(global_admin)
    _upload(client, bulk_xlsx(_customers(2, mpn)), callbacks=django_capture_on_commit_callbacks)
    batch = Batch.objects.get()
    proof = _proof()
    sent = proof["documents"].read()
    proof["documents"].seek(0)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("batch_submit", args=[batch.pk]), proof)

    documents = [
        request.proofs.get().documents.get() for request in AssociationRequest.objects.all()
    ]
    assert len(documents) == 2
    assert documents[0].file.name != documents[1].file.name
    for document in documents:
        with document.file.open("rb") as stored:
            assert stored.read() == sent
        assert document.original_name == proof["documents"].name


def test_the_chunks_left_are_queued_at_once_and_each_is_assessed_once_in_any_order(
    client, global_admin, organisation, mpn, monkeypatch
):
    """The cluster's workers assess the chunks in parallel: whichever records the last rows
    counts the verdicts, and a chunk delivered twice does nothing the second time."""
    from associations.bulk import services

    queued = []
    monkeypatch.setattr(services, "CHUNK_ROWS", 1)
    monkeypatch.setattr(
        services, "_enqueue_parse", lambda batch_id, chunk=None: queued.append(chunk)
    )
    client.force_login(global_admin)
    _upload(client, bulk_xlsx(_customers(3, mpn)))
    batch = Batch.objects.get()

    first = services.batch_parse(batch_id=batch.pk)
    last_chunk = services.batch_parse(batch_id=batch.pk, chunk=2)
    again = services.batch_parse(batch_id=batch.pk, chunk=2)
    middle = services.batch_parse(batch_id=batch.pk, chunk=1)

    assert queued == [None, 1, 2]  # the upload's task, then every chunk it left
    assert (first.status, first.progress, last_chunk.progress) == ("parsing", 1, 2)
    assert again is None
    assert (middle.status, middle.ok_count, middle.progress) == ("ready", 3, 3)
    assert services.batch_parse(batch_id=batch.pk, chunk=1) is None
    assert batch.rows.count() == 3


def test_an_upload_of_several_chunks_is_read_through_the_queued_tasks(
    client, global_admin, organisation, mpn, monkeypatch, django_capture_on_commit_callbacks
):
    from associations.bulk import services

    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    client.force_login(global_admin)
    _upload(client, bulk_xlsx(_customers(5, mpn)), callbacks=django_capture_on_commit_callbacks)

    batch = Batch.objects.get()
    assert (batch.status, batch.ok_count, batch.progress, batch.total_rows) == ("ready", 5, 5, 5)
