"""The Incentives overview: admins enrol and unenrol MPN IDs, recorded; billing admins look."""

import pytest
from django.urls import reverse

from partners.catalog import SolutionArea
from partners.models import Enrolment, EnrolmentEvent
from tests.builders import make_mpn, make_program

BA = SolutionArea.BUSINESS_APPLICATIONS


@pytest.fixture
def mpn(organisation):
    make_program(SolutionArea.MICROSOFT_365)
    return make_mpn(organisation, mpn_id="1234567", enrolled_in=(BA,), partner_type="FastTrack")


def test_the_overview_shows_mpn_ids_partner_types_and_enrolments(client, billing_admin, mpn):
    client.force_login(billing_admin)

    page = client.get(reverse("incentives")).text

    assert 'data-mpn="1234567"' in page
    assert "FastTrack" in page
    assert 'data-program="business_applications" data-enrolled="true"' in page
    assert 'data-program="microsoft_365" data-enrolled="false"' in page
    assert "Unenrol" not in page  # read only for billing admins


@pytest.mark.parametrize("persona", ["global_admin", "incentives_admin"])
def test_admins_enrol_after_confirmation_and_it_is_recorded(client, mpn, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    url = reverse("enrolment_enrol", args=["1234567", SolutionArea.MICROSOFT_365])

    assert "Enrol 1234567" in client.get(url).text
    assert not mpn.enrolments.filter(program__solution_area=SolutionArea.MICROSOFT_365).exists()
    response = client.post(url)

    assert response.url == reverse("incentives")
    enrolment = Enrolment.objects.get(mpn=mpn, program__solution_area=SolutionArea.MICROSOFT_365)
    assert enrolment.enrolled_by == user
    event = EnrolmentEvent.objects.get()
    assert (event.action, event.actor) == ("enrolled", user)
    assert user.username in client.get(reverse("incentives")).text


def test_unenrolling_is_recorded_with_who_and_when(client, global_admin, mpn):
    client.force_login(global_admin)

    client.post(reverse("enrolment_unenrol", args=["1234567", BA]))

    assert not mpn.enrolments.exists()
    event = EnrolmentEvent.objects.get()
    assert (event.action, event.actor, event.program.solution_area) == (
        "unenrolled",
        global_admin,
        BA,
    )
    assert "Unenrolled" in client.get(reverse("incentives")).text


def test_enrolling_twice_says_so(client, global_admin, mpn):
    client.force_login(global_admin)

    response = client.post(reverse("enrolment_enrol", args=["1234567", BA]), follow=True)

    assert "already enrolled" in response.text
    assert EnrolmentEvent.objects.count() == 0


def test_billing_admin_gets_403_on_write(client, billing_admin, mpn):
    client.force_login(billing_admin)

    for name in ("enrolment_enrol", "enrolment_unenrol"):
        area = SolutionArea.MICROSOFT_365 if name == "enrolment_enrol" else BA
        response = client.post(reverse(name, args=["1234567", area]))
        assert response.status_code == 403
    assert list(mpn.enrolments.values_list("program__solution_area", flat=True)) == [BA]


def test_outsider_gets_404_and_nothing_changes(client, outsider, mpn):
    client.force_login(outsider)

    response = client.post(reverse("enrolment_unenrol", args=["1234567", BA]))

    assert response.status_code == 404
    assert mpn.enrolments.count() == 1


def test_unknown_program_gives_404(client, global_admin, mpn):
    client.force_login(global_admin)

    assert client.post(reverse("enrolment_enrol", args=["1234567", "security"])).status_code == 404


def test_the_request_form_offers_a_newly_enrolled_mpn_id(client, global_admin, organisation):
    make_mpn(organisation, mpn_id="7654321", enrolled_in=())
    make_program(BA)
    client.force_login(global_admin)
    assert "7654321" not in client.get(reverse("request_create")).text

    client.post(reverse("enrolment_enrol", args=["7654321", BA]))

    assert "7654321" in client.get(reverse("request_create")).text
