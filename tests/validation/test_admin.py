"""The directory's admin pages stay usable for a tenant with hundreds of subscriptions."""

import uuid

import pytest
from django.urls import reverse

from tests.builders import enable_totp, make_product, make_tenant, make_user
from validation.models import Channel, Subscription, SubscriptionState


@pytest.fixture
def big_tenant(db):
    tenant = make_tenant(domains=("fabrikam.com",), name="Fabrikam")
    product = make_product()
    Subscription.objects.bulk_create(
        Subscription(
            subscription_id=uuid.uuid4(),
            tenant=tenant,
            product=product,
            channel=Channel.VOLUME_LICENSING,
            state=SubscriptionState.ACTIVE,
        )
        for _ in range(800)
    )
    make_tenant(name="Other").subscriptions.create(
        subscription_id=uuid.uuid4(),
        product=product,
        channel=Channel.VOLUME_LICENSING,
        state=SubscriptionState.ACTIVE,
    )
    return tenant


@pytest.fixture
def admin_client(db, client):
    user = make_user(None, username="root", is_staff=True, is_superuser=True)
    enable_totp(user)
    client.force_login(user)
    return client


def test_a_tenant_with_800_subscriptions_links_to_them_and_saves(admin_client, big_tenant):
    url = reverse("admin:validation_tenant_change", args=[big_tenant.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data |= {
            management.add_prefix(name): management[name].value() for name in management.fields
        }
        for inline in formset.formset.forms:
            data |= {inline.add_prefix(name): inline[name].value() or "" for name in inline.fields}

    assert "800 subscriptions" in page.text
    link = page.text.split("800 subscriptions")[0].rsplit('href="', 1)[1].split('"')[0]
    listed = admin_client.get(link.replace("&amp;", "&"))
    assert listed.context["cl"].result_count == 800

    data["display_name"] = "Fabrikam Ltd"
    assert admin_client.post(url, data).status_code == 302
    big_tenant.refresh_from_db()
    assert big_tenant.display_name == "Fabrikam Ltd"
