"""The organisation's request list: filters, search, keyset pages, fixed queries, CSV export."""

import csv
import io
import threading

import pytest
from django.http import QueryDict
from django.urls import reverse

from associations.forms import RequestFilterForm
from associations.models import AssociationRequest, ClaimStatus
from associations.selectors import RequestFilters, _list_rows_query
from partners.catalog import SolutionArea
from tests.builders import (
    make_mpn,
    make_product,
    make_request,
    make_subscription,
    make_tenant,
    set_status,
)

LIST = reverse("request_list")


def _file(user, tenant, sales, count=1, **kwargs):
    mpn = make_mpn(user.membership.organisation)
    return [
        make_request(
            user.membership.organisation,
            user,
            tenant=tenant,
            products=[(sales, str(make_subscription(tenant, sales).pk))],
            mpn=mpn,
            **kwargs,
        )
        for _ in range(count)
    ]


def _references(response) -> list[str]:
    return [row.reference for row in response.context["page"].rows]


def test_an_empty_list_invites_the_first_request(client, global_admin):
    client.force_login(global_admin)

    response = client.get(LIST)

    assert "has filed no association requests yet" in response.text
    assert reverse("request_create") in response.text


def test_requests_are_listed_newest_first_with_their_claims(client, global_admin, tenant, sales):
    first, second = _file(global_admin, tenant, sales, count=2)
    client.force_login(global_admin)

    response = client.get(LIST)

    assert _references(response) == [second.reference, first.reference]
    assert 'data-claim-status="under_review"' in response.text
    assert "Dynamics 365 Sales" in response.text or "D365 Sales" in response.text


def test_rendered_rows_follow_the_data_and_the_language(client, global_admin, tenant, sales):
    """The rows' HTML is cached by what it shows: a change the services never saw (a bulk
    update) or another language renders afresh, never a stale page. So are the filters."""
    from django.conf import settings

    (request,) = _file(global_admin, tenant, sales)
    client.force_login(global_admin)
    assert 'data-claim-status="under_review"' in client.get(LIST).text

    set_status(request.claims.all(), ClaimStatus.APPROVED)
    after_update = client.get(LIST).text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cs"
    in_czech = client.get(LIST).text

    assert 'data-claim-status="under_review"' not in after_update
    assert '<span class="badge text-bg-success">Approved</span>' in after_update
    assert '<span class="badge text-bg-success">Schváleno</span>' in in_czech
    assert 'value="approved" selected' in client.get(LIST, {"status": "approved"}).text
    assert 'value="approved" selected' not in client.get(LIST).text


def test_only_writers_are_offered_a_new_request_whatever_was_cached(
    client, global_admin, billing_admin
):
    new_request = f'href="{reverse("request_create")}"'
    client.force_login(global_admin)
    assert new_request in client.get(LIST).text

    client.force_login(billing_admin)
    assert new_request not in client.get(LIST).text


def test_filters_and_search(client, global_admin, tenant, sales):
    passed = _file(global_admin, tenant, sales)[0]
    failed = _file(global_admin, tenant, sales, domain="elsewhere.example")[0]
    other_tenant = make_tenant(domains=("fabrikam.cz",), name="Fabrikam")
    fabrikam = _file(global_admin, other_tenant, sales)[0]
    client.force_login(global_admin)

    assert _references(client.get(LIST, {"status": "action_needed"})) == [failed.reference]
    assert _references(client.get(LIST, {"q": passed.reference.lower()})) == [passed.reference]
    assert _references(client.get(LIST, {"q": str(other_tenant.tenant_id)})) == [fabrikam.reference]
    assert _references(client.get(LIST, {"q": "fabrikam.cz"})) == [fabrikam.reference]
    assert _references(client.get(LIST, {"area": SolutionArea.MICROSOFT_365})) == []
    assert "No requests match these filters" in client.get(LIST, {"activity": "usage"}).text


def test_domain_search_finds_the_domain_and_its_subdomains_only(
    client, global_admin, tenant, sales
):
    domains = ["contoso.com", "sales.contoso.com", "mycontoso.com", "xn--mller-kva.de"]
    filed = {
        domain: _file(global_admin, tenant, sales, domain=domain)[0].reference for domain in domains
    }
    client.force_login(global_admin)

    def found(q):
        return set(_references(client.get(LIST, {"q": q})))

    assert found("contoso.com") == {filed["contoso.com"], filed["sales.contoso.com"]}
    assert found(" CONTOSO.com. ") == {filed["contoso.com"], filed["sales.contoso.com"]}
    assert found("sales.contoso.com") == {filed["sales.contoso.com"]}
    assert found("müller.de") == {filed["xn--mller-kva.de"]}
    assert found("ntoso.com") == set()
    assert found("100%_off") == set()


def test_the_date_filter_keeps_whole_local_days_even_when_ids_run_against_time(
    client, global_admin, tenant, sales, monkeypatch
):
    """The filter adds the range's id bounds for speed; they must never change the answer,
    even for requests whose ids do not follow their creation time (imported history)."""
    from datetime import datetime, time

    from django.utils import timezone

    monkeypatch.setattr("associations.selectors.PAGE_SIZE", 2)
    created = [
        ("2022-03-31", time.max),
        ("2022-01-01", time.min),
        ("2021-12-31", time.max),
        ("2022-02-15", time(12)),
        ("2022-04-01", time.min),
    ]
    requests = _file(global_admin, tenant, sales, count=len(created))
    zone = timezone.get_current_timezone()
    for request, (day, at) in zip(requests, created, strict=True):
        created_at = datetime.combine(datetime.fromisoformat(day).date(), at, zone)
        AssociationRequest.objects.filter(pk=request.pk).update(created_at=created_at)
    in_q1 = [requests[3].reference, requests[1].reference, requests[0].reference]  # newest id first
    client.force_login(global_admin)
    q1 = {"date_from": "2022-01-01", "date_to": "2022-03-31"}

    first = client.get(LIST, q1).context["page"]
    second = client.get(LIST, {**q1, "before": first.older}).context["page"]

    assert [row.reference for row in first.rows + second.rows] == in_q1
    assert second.older is None
    assert _references(client.get(LIST, {"date_from": "2022-04-01"})) == [requests[4].reference]
    assert _references(client.get(LIST, {"date_to": "2021-12-31"})) == [requests[2].reference]
    assert _references(client.get(LIST, {"date_from": "2023-01-01"})) == []


def test_keyset_pages_walk_older_and_back_newer(client, global_admin, tenant, sales, monkeypatch):
    monkeypatch.setattr("associations.selectors.PAGE_SIZE", 2)
    requests = _file(global_admin, tenant, sales, count=5)
    newest_first = [r.reference for r in reversed(requests)]
    client.force_login(global_admin)

    first = client.get(LIST).context["page"]
    second = client.get(LIST, {"before": first.older}).context["page"]
    third = client.get(LIST, {"before": second.older}).context["page"]
    back = client.get(LIST, {"after": third.newer}).context["page"]

    assert [r.reference for r in first.rows] == newest_first[:2]
    assert first.newer is None
    assert [r.reference for r in second.rows] == newest_first[2:4]
    assert [r.reference for r in third.rows] == newest_first[4:]
    assert third.older is None
    assert [r.reference for r in back.rows] == newest_first[2:4]


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_runs_a_fixed_number_of_queries(
    client, global_admin, tenant, sales, count, django_assert_num_queries
):
    _file(global_admin, tenant, sales, count=count)
    client.force_login(global_admin)

    # session, user with membership and organisation, requests with their claims and products
    with django_assert_num_queries(3):
        client.get(LIST)


@pytest.mark.parametrize("count", [1, 8])
def test_the_detail_page_runs_a_fixed_number_of_queries(
    client, global_admin, tenant, sales, count, django_assert_num_queries
):
    request = _file(global_admin, tenant, sales)[0]
    for _ in range(count):
        client.force_login(global_admin)
        client.post(reverse("request_comment", args=[request.reference]), {"body": "note"})
    client.force_login(global_admin)

    # 10, and 2 for the warnings read from the directory (the tenant's subscriptions, the
    # contact's domain)
    with django_assert_num_queries(12):
        client.get(reverse("request_detail", args=[request.reference]))


def test_the_csv_export_streams_the_filtered_claims_and_neutralises_formulas(
    client, global_admin, tenant, sales
):
    request = _file(global_admin, tenant, sales)[0]
    AssociationRequest.objects.filter(pk=request.pk).update(claim_name="=HYPERLINK(evil)")
    _file(global_admin, tenant, sales, domain="elsewhere.example")
    client.force_login(global_admin)

    response = client.get(reverse("request_export"), {"status": "under_review"})

    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="cpor-requests-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["reference"] for row in rows] == [request.reference]
    assert rows[0]["claim_name"] == "'=HYPERLINK(evil)"
    assert rows[0]["status"] == "under_review"
    assert rows[0]["tenant_id"] == str(tenant.tenant_id)


def test_a_query_string_gives_only_the_filters_it_validly_holds():
    """Keyset cursors and unknown parameters are no filters; an invalid value is ignored."""

    def filters(query):
        return RequestFilterForm.filters_of(QueryDict(query))

    assert filters("") == RequestFilters()
    assert filters("before=CPOR-000042&utm_source=mail") == RequestFilters()
    assert filters("status=bogus&q=+contoso.com+&date_to=2026-02-30") == RequestFilters(
        q="contoso.com"
    )
    assert filters("status=approved&area=microsoft_365") == RequestFilters(
        status="approved", solution_area="microsoft_365"
    )


def test_the_pager_follows_the_cursor_and_the_filters_whatever_was_cached(
    client, global_admin, tenant, sales
):
    """The same rows reached three ways; the pager is cached with them, yet links each way."""
    requests = _file(global_admin, tenant, sales, count=2)
    newest = requests[-1].pk
    client.force_login(global_admin)

    landing = client.get(LIST).text
    from_cursor = client.get(LIST, {"before": newest + 1}).text
    filtered = client.get(LIST, {"before": newest + 1, "status": "under_review"}).text

    assert 'href="?after=' not in landing  # the newest page links to no newer one
    assert f'href="?after={newest}"' in from_cursor
    assert f'href="?status=under_review&amp;after={newest}"' in filtered


def test_each_row_lists_its_claims_in_filing_order(client, global_admin, tenant, sales):
    service = make_product("d365-customer-service")
    organisation = global_admin.membership.organisation
    rows = [(product, str(make_subscription(tenant, product).pk)) for product in (sales, service)]
    make_request(organisation, global_admin, tenant=tenant, products=rows)
    client.force_login(global_admin)

    (row,) = client.get(LIST).context["page"].rows

    assert row.claims == [("under_review", sales.name), ("under_review", service.name)]


def test_each_thread_builds_its_own_list_query():
    """Compiling a subquery changes its inner query for a moment: threads never share one."""
    seen = []
    worker = threading.Thread(target=lambda: seen.append(_list_rows_query()))
    worker.start()
    worker.join()

    assert _list_rows_query() is _list_rows_query()
    assert seen[0] is not _list_rows_query()
