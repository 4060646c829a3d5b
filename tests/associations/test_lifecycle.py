"""After submission: fix and resubmit, withdraw, delete a draft, comment, newer proof."""

import pytest
from django.urls import reverse

from associations.models import AssociationRequest, ClaimStatus, Comment, Proof, StatusEvent
from tests.builders import (
    form_data,
    make_mpn,
    make_product,
    make_request,
    make_subscription,
    make_tenant,
    pdf_upload,
    set_status,
)


@pytest.fixture
def mpn(organisation):
    return make_mpn(organisation, mpn_id="1234567")


@pytest.fixture
def failed(global_admin, organisation, tenant, sales, subscription, mpn):
    """A request whose domain check failed."""
    make_tenant(domains=("fabrikam.cz",), name="Fabrikam")
    return make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
        domain="fabrikam.cz",
        mpn=mpn,
    )


def _edit_data(request, claim, **overrides):
    data = form_data(
        tenant_id=request.tenant_id,
        domain=overrides.pop("domain", request.domain),
        mpn=request.mpn,
        rows=[(claim.product, str(claim.subscription_id or ""))],
        initial_rows=1,
        **overrides,
    )
    data["claims-0-claim"] = claim.pk
    return data


def test_fixing_the_failing_field_and_resubmitting_runs_the_checks_again(
    client, global_admin, failed, django_capture_on_commit_callbacks
):
    claim = failed.claims.get()
    assert claim.status == ClaimStatus.ACTION_NEEDED
    client.force_login(global_admin)
    form = client.get(reverse("request_edit", args=[failed.reference]))
    assert form.context["form"]["domain"].value() == "fabrikam.cz"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("request_edit", args=[failed.reference]),
            _edit_data(failed, claim, domain="contoso.com"),
        )

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert not failed.check_results.failed().exists()
    assert failed.check_results.filter(passed=True).count() >= 2  # every check run is kept
    actions = list(StatusEvent.objects.filter(claim=claim).values_list("action", flat=True))
    assert actions == [
        "claim.submitted",
        "claim.checks_failed",
        "claim.submitted",
        "claim.checks_passed",
    ]


def test_a_request_under_review_cannot_be_edited(client, global_admin, failed, sales, tenant):
    claim = failed.claims.get()
    set_status(claim, ClaimStatus.UNDER_REVIEW)
    client.force_login(global_admin)

    response = client.post(
        reverse("request_edit", args=[failed.reference]),
        _edit_data(failed, claim, domain="contoso.com"),
    )

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.domain == "fabrikam.cz"


def test_editing_a_draft_and_submitting_it(
    client,
    global_admin,
    organisation,
    tenant,
    sales,
    subscription,
    mpn,
    django_capture_on_commit_callbacks,
):
    draft = make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
        mpn=mpn,
        submit=False,
    )
    client.force_login(global_admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("request_edit", args=[draft.reference]),
            {
                **_edit_data(draft, draft.claims.get(), claim_name="Renamed"),
                "documents": pdf_upload(),
            },
        )

    draft.refresh_from_db()
    assert draft.claim_name == "Renamed"
    assert draft.claims.get().status == ClaimStatus.UNDER_REVIEW
    assert draft.proofs.count() == 2


def test_withdrawing_asks_for_confirmation_then_withdraws(client, global_admin, failed):
    client.force_login(global_admin)
    url = reverse("request_withdraw", args=[failed.reference])

    confirm = client.get(url)
    unconfirmed = client.post(url, {})
    assert failed.claims.get().status == ClaimStatus.ACTION_NEEDED
    response = client.post(url, {"confirm": "on"})

    assert "cannot be reopened" in confirm.text
    assert unconfirmed.status_code == 200
    assert response.status_code == 302
    claim = failed.claims.get()
    assert (claim.status, claim.reason) == (ClaimStatus.WITHDRAWN, "partner_request")
    event = StatusEvent.objects.get(claim=claim, action="claim.withdrawn")
    assert event.actor == global_admin


def test_a_withdrawn_request_cannot_be_withdrawn_again(client, global_admin, failed):
    client.force_login(global_admin)
    url = reverse("request_withdraw", args=[failed.reference])
    client.post(url, {"confirm": "on"})

    response = client.post(url, {"confirm": "on"}, follow=True)

    assert "Nothing in this request can be withdrawn" in response.text
    assert StatusEvent.objects.filter(action="claim.withdrawn").count() == 1


def test_deleting_a_draft_after_confirmation(
    client, global_admin, organisation, tenant, sales, subscription, mpn
):
    draft = make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
        mpn=mpn,
        submit=False,
    )
    client.force_login(global_admin)
    url = reverse("request_delete", args=[draft.reference])

    assert "deleted for good" in client.get(url).text
    response = client.post(url)

    assert response.url == reverse("request_list")
    assert not AssociationRequest.objects.filter(pk=draft.pk).exists()


def test_a_submitted_request_cannot_be_deleted(client, global_admin, failed):
    client.force_login(global_admin)

    client.post(reverse("request_delete", args=[failed.reference]))

    assert AssociationRequest.objects.filter(pk=failed.pk).exists()


def test_a_comment_is_added_to_the_thread(client, incentives_admin, failed):
    client.force_login(incentives_admin)

    response = client.post(
        reverse("request_comment", args=[failed.reference]), {"body": "Customer confirmed."}
    )

    assert response.status_code == 302
    comment = Comment.objects.get(kind=Comment.Kind.PARTNER)
    assert (comment.body, comment.author) == ("Customer confirmed.", incentives_admin)
    assert "Customer confirmed." in client.get(response.url).text


def test_an_empty_comment_is_refused(client, global_admin, failed):
    client.force_login(global_admin)

    client.post(reverse("request_comment", args=[failed.reference]), {"body": ""})

    assert not Comment.objects.filter(kind=Comment.Kind.PARTNER).exists()


def test_newer_proof_is_added_to_one_claim_and_listed_first(client, global_admin, failed):
    claim = failed.claims.get()
    client.force_login(global_admin)

    response = client.post(
        reverse("proof_add", args=[failed.reference]),
        {
            "claim": claim.pk,
            "description": "Signed acceptance protocol",
            "documents": pdf_upload("new.pdf"),
        },
    )

    assert response.status_code == 302
    newest = Proof.objects.filter(request=failed).first()
    assert (newest.claim, newest.description) == (claim, "Signed acceptance protocol")
    assert newest.documents.get().original_name == "new.pdf"
    page = client.get(response.url).text
    assert page.index("Signed acceptance protocol") < page.index(failed.proof_description)
    assert StatusEvent.objects.filter(claim=claim, action="claim.proof_added").exists()


def test_proof_cannot_be_added_to_a_withdrawn_claim(client, global_admin, failed):
    claim = failed.claims.get()
    client.force_login(global_admin)
    client.post(reverse("request_withdraw", args=[failed.reference]), {"confirm": "on"})

    response = client.post(
        reverse("proof_add", args=[failed.reference]),
        {"claim": claim.pk, "description": "late", "documents": pdf_upload()},
    )

    assert response.status_code == 400
    assert Proof.objects.filter(claim=claim).count() == 0


def test_the_detail_page_refreshes_itself_while_validating(client, global_admin, failed):
    claim = failed.claims.get()
    set_status(claim, ClaimStatus.VALIDATING)
    client.force_login(global_admin)

    page = client.get(reverse("request_detail", args=[failed.reference])).text

    assert 'data-refresh-seconds="2"' in page
    assert "js/refresh" in page
    assert 'data-validating="true"' in page


def test_a_changed_proof_description_becomes_the_newest_proof(
    client, global_admin, failed, django_capture_on_commit_callbacks
):
    claim = failed.claims.get()
    client.force_login(global_admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("request_edit", args=[failed.reference]),
            _edit_data(failed, claim, domain="contoso.com", proof_description="Updated proof"),
        )

    assert Proof.objects.filter(request=failed).first().description == "Updated proof"


def test_deleting_a_draft_deletes_its_stored_documents(
    client,
    global_admin,
    organisation,
    tenant,
    sales,
    subscription,
    mpn,
    django_capture_on_commit_callbacks,
):
    from django.core.files.storage import default_storage

    draft = make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
        mpn=mpn,
        submit=False,
    )
    name = draft.proofs.get().documents.get().file.name
    assert default_storage.exists(name)
    client.force_login(global_admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("request_delete", args=[draft.reference]))

    assert not default_storage.exists(name)


def test_a_colleague_who_withdraws_is_named_in_the_comments(client, incentives_admin, failed):
    client.force_login(incentives_admin)

    client.post(reverse("request_withdraw", args=[failed.reference]), {"confirm": "on"})

    assert "withdrew" in failed.comments.last().body


def test_every_claim_of_a_request_keeps_its_copies_after_an_edit(
    client, global_admin, organisation, tenant, sales, mpn, django_capture_on_commit_callbacks
):
    """A row removed (withdrawn) in the same edit that changes the MPN ID moves too."""
    service = make_product("d365-customer-service")
    make_tenant(domains=("fabrikam.cz",), name="Fabrikam")
    request = make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[
            (sales, str(make_subscription(tenant, sales).pk)),
            (service, str(make_subscription(tenant, service).pk)),
        ],
        domain="fabrikam.cz",
        mpn=mpn,
    )
    first, second = request.claims.order_by("pk")
    other_mpn = make_mpn(organisation, mpn_id="7654321")
    data = form_data(
        tenant_id=tenant.tenant_id,
        domain="contoso.com",
        mpn=other_mpn,
        rows=[(first.product, str(first.subscription_id)), (None, "")],
        initial_rows=2,
        action="draft",
    )
    data["claims-0-claim"], data["claims-1-claim"] = first.pk, second.pk
    client.force_login(global_admin)

    client.post(reverse("request_edit", args=[request.reference]), data)

    second.refresh_from_db()
    assert second.status == ClaimStatus.WITHDRAWN
    assert set(request.claims.values_list("mpn_id", flat=True)) == {other_mpn.pk}
