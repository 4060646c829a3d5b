"""Hostile input (a NUL byte, a word where a number belongs, a number too big for any column)
answers 400, 404 or the admin's own redirect: never a 500, on any admin page or partner URL."""

import pytest
from django.contrib import admin
from django.urls import reverse

from partners.models import SolutionArea
from tests.builders import enable_totp, make_mpn, make_program, make_user

OUR_APPS = {"associations", "disputes", "partners", "validation", "django_q"}
MODEL_ADMINS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in OUR_APPS
)
ADMINS_WITH_ACTIONS = [
    model_admin
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label in OUR_APPS | {"auth", "account", "socialaccount", "mfa"}
]
ANSWERS = {200, 302, 400, 404}
BAD_IDS = ["abc", "\x00", "99999999999999999999"]


@pytest.fixture
def superuser(db):
    user = make_user(None, username="root", is_staff=True, is_superuser=True)
    enable_totp(user)  # staff must use MFA
    return user


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _actions(model_admin, rf, superuser) -> list[str]:
    request = rf.get("/")
    request.user = superuser
    return list(model_admin.get_actions(request))


def test_every_app_of_ours_and_django_q2_has_admin_pages_under_test():
    assert {app for app, _ in MODEL_ADMINS} == OUR_APPS


@pytest.mark.parametrize(("app", "model"), MODEL_ADMINS)
def test_no_changelist_answers_500_to_a_nul_or_a_word_in_its_search_or_filters(
    admin_client, app, model
):
    url = reverse(f"admin:{app}_{model}_changelist")
    page = admin_client.get(url)
    assert page.status_code == 200
    parameters = [
        name for spec in page.context["cl"].filter_specs for name in spec.expected_parameters()
    ]

    queries = [{"q": "\x00"}, {"q": "abc"}, {"o": "\x00"}, {"p": "\x00"}]
    queries += [{name: value} for name in parameters for value in ("\x00", "abc")]
    for query in queries:
        assert admin_client.get(url, query).status_code in ANSWERS, query


@pytest.mark.parametrize(("app", "model"), MODEL_ADMINS)
@pytest.mark.parametrize("object_id", BAD_IDS)
def test_no_change_page_answers_500_to_an_id_that_is_no_id(admin_client, app, model, object_id):
    for page in ("change", "history"):
        url = reverse(f"admin:{app}_{model}_{page}", args=[object_id])
        assert admin_client.get(url).status_code in ANSWERS, url
    # A read-only model's delete page refuses before it looks the object up, as it should.
    url = reverse(f"admin:{app}_{model}_delete", args=[object_id])
    assert admin_client.get(url).status_code in ANSWERS | {403}, url


def test_a_nul_byte_in_the_query_string_or_a_cookie_answers_400(client, admin_client):
    url = reverse("admin:validation_subscription_changelist")

    assert admin_client.get(url, {"state": "\x00"}).status_code == 400
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get(reverse("dashboard")).status_code == 400


def test_a_nul_byte_in_a_form_field_gets_the_forms_own_message(client, organisation):
    response = client.post(reverse("account_login"), {"login": "glo\x00bal", "password": "pw"})

    assert "Null characters are not allowed." in response.text


@pytest.mark.parametrize("action", ["enrolment_enrol", "enrolment_unenrol"])
@pytest.mark.parametrize("mpn_id", ["1234567", "abc", "\x00", "99999999999999999999"])
@pytest.mark.parametrize("area", [SolutionArea.MICROSOFT_365, "abc", "\x00"])
def test_enrolment_urls_answer_404_or_400_to_an_mpn_id_or_area_that_is_none(
    client, global_admin, organisation, action, mpn_id, area
):
    make_mpn(organisation, mpn_id="7654321")
    make_program(SolutionArea.MICROSOFT_365)
    client.force_login(global_admin)
    url = reverse(action, args=[mpn_id, area])

    assert client.get(url).status_code in {400, 404}
    assert client.post(url).status_code in {400, 404}


@pytest.mark.parametrize(
    "refused",
    [{"path": "/associations/%00/"}, {"path": "/", "HTTP_HOST": "attacker.example"}],
    ids=["nul-in-path", "bad-host"],
)
def test_a_request_refused_before_sign_in_is_read_gets_the_portals_400_page(client, refused):
    response = client.get(refused.pop("path"), **refused)

    assert response.status_code == 400
    assert "This address cannot be used" in response.text


@pytest.mark.parametrize("model_admin", ADMINS_WITH_ACTIONS, ids=str)
@pytest.mark.parametrize("object_id", BAD_IDS)
def test_no_bulk_action_answers_500_to_an_id_that_is_no_id(
    admin_client, rf, superuser, model_admin, object_id
):
    meta = model_admin.model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    for action in _actions(model_admin, rf, superuser):
        data = {"action": action, "_selected_action": [object_id], "index": "0"}
        assert admin_client.post(url, data).status_code in ANSWERS, (url, action)
