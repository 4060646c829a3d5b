"""International domains are stored as IDNA and shown to people in their Unicode form."""

from django.urls import reverse

from tests.builders import make_mpn, make_request, make_tenant
from validation.domains import display_domain

STORED, SHOWN = "xn--mnchen-bau-9db.example", "münchen-bau.example"


def test_display_domain_decodes_idna_and_keeps_what_does_not_decode():
    assert display_domain(STORED) == SHOWN
    assert display_domain("contoso.com") == "contoso.com"
    assert display_domain("xn--zz.example") == "xn--zz.example"


def test_pages_the_export_and_the_admin_show_the_unicode_form(
    client, global_admin, reviewer, sales
):
    tenant = make_tenant(domains=(STORED,))
    organisation = global_admin.membership.organisation
    request = make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, None)],
        mpn=make_mpn(organisation),
    )
    assert request.domain == STORED
    client.force_login(global_admin)

    detail = client.get(reverse("request_detail", args=[request.reference])).text
    listing = client.get(reverse("request_list")).text
    export = b"".join(client.get(reverse("request_export")).streaming_content).decode()
    client.force_login(reviewer)
    admin_list = client.get(reverse("admin:associations_associationrequest_changelist")).text

    for shown in (detail, listing, export, admin_list):
        assert SHOWN in shown
        assert STORED not in shown
