import copy
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from partners.models import Enrolment, Membership, MpnId, Organisation
from validation.importers import ImportRowError, import_partners

VALID = {
    "incentive_programs": [
        {"solution_area": "business_applications", "name": "Business Applications incentives"},
        {"solution_area": "microsoft_365", "name": "Microsoft 365 incentives"},
    ],
    "organisations": [
        {
            "name": "Northwind Traders",
            "mpn_ids": [
                {
                    "mpn_id": "1234567",
                    "location": "Prague",
                    "country": "CZ",
                    "partner_type": "FastTrack Ready Partner",
                    "enrolled_in": ["business_applications", "microsoft_365"],
                },
                {"mpn_id": "123456", "location": "Brno", "country": "CZ"},
            ],
            "users": [
                {"username": "eva", "email": "eva@northwind.example", "role": "global_admin"},
                {"username": "jan", "role": "billing_admin"},
            ],
        }
    ],
}


def _counts():
    return (
        Organisation.objects.count(),
        MpnId.objects.count(),
        Enrolment.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
    )


@pytest.mark.django_db
def test_a_valid_file_creates_organisations_mpn_ids_enrolments_and_users():
    created = []

    import_partners(
        copy.deepcopy(VALID), on_user_created=lambda user, organisation: created.append(user)
    )

    assert _counts() == (1, 2, 2, 2, 2)
    fasttrack = MpnId.objects.get(mpn_id="1234567")
    assert fasttrack.partner_type == "FastTrack Ready Partner"
    assert set(fasttrack.enrolments.values_list("program__solution_area", flat=True)) == {
        "business_applications",
        "microsoft_365",
    }
    assert Membership.objects.get(user__username="jan").role == "billing_admin"
    assert {user.username for user in created} == {"eva", "jan"}
    assert not created[0].has_usable_password()


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing_and_creates_no_user_twice():
    import_partners(copy.deepcopy(VALID))
    created = []

    report = import_partners(
        copy.deepcopy(VALID), on_user_created=lambda user, organisation: created.append(user)
    )

    assert not report.changed
    assert created == []
    assert _counts() == (1, 2, 2, 2, 2)


@pytest.mark.django_db
def test_a_changed_role_is_updated():
    import_partners(copy.deepcopy(VALID))
    data = copy.deepcopy(VALID)
    data["organisations"][0]["users"][1]["role"] = "incentives_admin"

    import_partners(data)

    assert Membership.objects.get(user__username="jan").role == "incentives_admin"


def _with(change):
    data = copy.deepcopy(VALID)
    change(data)
    return data


BAD_ROWS = [
    (
        lambda d: d["organisations"][0]["mpn_ids"][0].update(mpn_id="12345"),
        r"organisations\[0\]\.mpn_ids\[0\]\.mpn_id: An MPN ID has 6 or 7 digits",
    ),
    (
        lambda d: d["organisations"][0]["mpn_ids"][1].update(country="Czechia"),
        r"organisations\[0\]\.mpn_ids\[1\]\.country",
    ),
    (
        lambda d: d["organisations"][0]["mpn_ids"][1].update(enrolled_in=["security"]),
        r"organisations\[0\]\.mpn_ids\[1\]\.enrolled_in: no incentive program for 'security'",
    ),
    (
        lambda d: d["organisations"][0]["users"][0].update(role="owner"),
        r"organisations\[0\]\.users\[0\]\.role",
    ),
    (
        lambda d: d["organisations"][0]["users"][0].update(email="not-an-email"),
        r"organisations\[0\]\.users\[0\]\.email",
    ),
    (
        lambda d: d["organisations"][0].update(name="Northwind\u202eTraders"),
        r"organisations\[0\]\.name: U\+202E RIGHT-TO-LEFT OVERRIDE is a hidden character",
    ),
    (
        lambda d: d["organisations"][0]["users"][0].update(last_name="Nov\u200bak"),
        r"organisations\[0\]\.users\[0\]\.last_name: U\+200B ZERO WIDTH SPACE",
    ),
    (lambda d: d.update(partners=[]), r"\(file\): unknown section\(s\): partners"),
    (
        lambda d: d["organisations"].append(
            {"name": "Adatum", "mpn_ids": [{"mpn_id": "1234567", "location": "X", "country": "DE"}]}
        ),
        r"organisations\[1\]\.mpn_ids\[0\]\.mpn_id: this MPN ID belongs to another organisation",
    ),
    (
        lambda d: d["organisations"].append(
            {"name": "Adatum", "users": [{"username": "eva", "role": "global_admin"}]}
        ),
        r"organisations\[1\]\.users\[0\]\.username: this user belongs to another organisation",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "message"), BAD_ROWS)
def test_a_bad_row_aborts_the_file_with_its_position_and_writes_nothing(change, message):
    with pytest.raises(ImportRowError, match=message):
        import_partners(_with(change))

    assert _counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_organisation_names_match_case_insensitively():
    import_partners(copy.deepcopy(VALID))
    data = copy.deepcopy(VALID)
    data["organisations"][0]["name"] = "NORTHWIND TRADERS"

    import_partners(data)

    assert Organisation.objects.get().name == "Northwind Traders"


TENANT = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"


@pytest.mark.django_db
def test_entra_tenant_ids_are_set_kept_when_absent_and_replaced_when_given():
    data = copy.deepcopy(VALID)
    data["organisations"][0]["entra_tenant_ids"] = [TENANT.upper(), TENANT]
    import_partners(data)
    organisation = Organisation.objects.get()
    assert [str(tenant) for tenant in organisation.entra_tenant_ids] == [TENANT]

    assert not import_partners(copy.deepcopy(data)).changed
    import_partners(copy.deepcopy(VALID))  # no key: the tenants stay
    organisation.refresh_from_db()
    assert len(organisation.entra_tenant_ids) == 1

    data["organisations"][0]["entra_tenant_ids"] = []
    import_partners(data)
    organisation.refresh_from_db()
    assert organisation.entra_tenant_ids == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tenants", "message"),
    [
        (["not-a-guid"], "organisations[0].entra_tenant_ids[0]: An Entra tenant ID is a GUID."),
        ("0f1e2d3c", "organisations[0].entra_tenant_ids: expected a JSON list"),
        ([TENANT, ["nested"]], "organisations[0].entra_tenant_ids[1]: expected text, not a"),
    ],
)
def test_a_bad_entra_tenant_id_aborts_the_file(tenants, message):
    data = copy.deepcopy(VALID)
    data["organisations"][0]["entra_tenant_ids"] = tenants

    with pytest.raises(ImportRowError) as error:
        import_partners(data)

    assert str(error.value).startswith(message)
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_a_partner_file_cannot_take_over_a_staff_account():
    get_user_model().objects.create_user(username="eva", is_staff=True, password="x")

    with pytest.raises(ImportRowError, match="vendor staff account"):
        import_partners(copy.deepcopy(VALID))

    assert not Membership.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("staff", "user_row", "message"),
    [
        (
            {"username": "EVA", "is_staff": True},
            {"username": "eva", "role": "global_admin"},
            "organisations[0].users[0].username: this is a vendor staff account",
        ),
        (
            {"username": "root", "is_superuser": True, "email": "eva@northwind.example"},
            {"username": "eva", "email": "Eva@Northwind.example", "role": "global_admin"},
            "organisations[0].users[0].email: this is a vendor staff account's e-mail address",
        ),
        (
            {"username": "dana", "is_staff": True, "email": "dana@vendor.example"},
            {"username": "dana2", "email": "dana@vendor.example", "role": "billing_admin"},
            "organisations[0].users[0].email: this is a vendor staff account's e-mail address",
        ),
    ],
)
def test_a_partner_file_naming_a_staff_user_is_refused_and_changes_nothing(
    tmp_path, staff, user_row, message
):
    account = get_user_model().objects.create_user(password="x", **staff)
    before = get_user_model().objects.values().get(pk=account.pk)
    data = copy.deepcopy(VALID)
    data["organisations"][0]["users"] = [user_row]
    path = tmp_path / "partners.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(CommandError) as error:
        call_command("import_partners", str(path))

    assert message in str(error.value)
    assert "nothing was imported" in str(error.value)
    assert get_user_model().objects.values().get(pk=account.pk) == before
    assert _counts() == (0, 0, 0, 1, 0)


@pytest.mark.django_db
def test_two_users_never_share_an_e_mail_address():
    data = copy.deepcopy(VALID)
    data["organisations"][0]["users"][1]["email"] = "EVA@northwind.example"

    with pytest.raises(ImportRowError) as error:
        import_partners(data)

    assert str(error.value) == (
        "organisations[0].users[1].email: another user has this e-mail address"
    )
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_imported_names_are_one_line_without_control_characters():
    def change(data):
        data["organisations"][0]["name"] = "Northwind\r\nTraders\x1b"
        data["organisations"][0]["users"][0].update(first_name="Eva\n", last_name="Novák\t")

    import_partners(_with(change))

    assert Organisation.objects.get().name == "Northwind Traders"
    eva = get_user_model().objects.get(username="eva")
    assert (eva.first_name, eva.last_name) == ("Eva", "Novák")


@pytest.mark.django_db
def test_a_large_partner_file_shows_progress_and_a_timed_summary(tmp_path, capsys):
    data = {
        "organisations": [{"name": f"Partner {n}"} for n in range(600)],
    }
    path = tmp_path / "partners.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    call_command("import_partners", str(path))

    output = capsys.readouterr()
    assert "600/600" in output.err
    assert "row/s" in output.err
    assert "600 rows in" in output.out
    assert "organisations: 600 created, 0 updated, 0 unchanged" in output.out
