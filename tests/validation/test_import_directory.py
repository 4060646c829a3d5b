import copy
import json
import uuid

import pytest
from django.core.management import CommandError, call_command

from validation.importers import ImportRowError, import_directory
from validation.models import Domain, Product, Subscription, Tenant

TENANT = "3c1b5a0e-6f1d-4b8a-9d2e-0a1b2c3d4e01"
SUBSCRIPTION = "5ab00000-0000-4000-8000-c10000000001"

VALID = {
    "products": [
        {
            "code": "d365-sales",
            "name": "Dynamics 365 Sales",
            "solution_area": "business_applications",
        },
        {"code": "teams", "name": "Microsoft Teams", "solution_area": "microsoft_365"},
    ],
    "tenants": [
        {
            "tenant_id": TENANT,
            "display_name": "Contoso Ltd",
            "domains": [
                {"name": "Contoso.onmicrosoft.com", "initial": True},
                {"name": "Bücher.example"},
            ],
            "subscriptions": [
                {
                    "subscription_id": SUBSCRIPTION,
                    "product": "d365-sales",
                    "channel": "volume_licensing",
                    "state": "active",
                },
                {
                    "subscription_id": str(uuid.UUID(int=7)),
                    "product": "teams",
                    "channel": "csp",
                    "state": "in_grace",
                    "provisioned": False,
                },
            ],
        }
    ],
}


def _write(tmp_path, data) -> str:
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def _counts() -> tuple[int, int, int, int]:
    return (
        Product.objects.count(),
        Tenant.objects.count(),
        Domain.objects.count(),
        Subscription.objects.count(),
    )


@pytest.mark.django_db
def test_a_valid_file_creates_the_whole_directory(tmp_path, capsys):
    call_command("import_directory", _write(tmp_path, VALID))

    assert _counts() == (2, 1, 2, 2)
    tenant = Tenant.objects.get()
    assert str(tenant.tenant_id) == TENANT
    assert set(tenant.domains.values_list("name", "is_initial")) == {
        ("contoso.onmicrosoft.com", True),
        ("xn--bcher-kva.example", False),
    }
    teams = Subscription.objects.get(product__code="teams")
    assert (teams.channel, teams.state, teams.provisioned) == ("csp", "in_grace", False)
    assert Subscription.objects.get(pk=SUBSCRIPTION).provisioned is True
    assert "subscriptions: 2 created" in capsys.readouterr().out


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing():
    import_directory(copy.deepcopy(VALID))
    before = list(Subscription.objects.order_by("pk").values())

    report = import_directory(copy.deepcopy(VALID))

    assert not report.changed
    assert report.unchanged["subscriptions"] == 2
    assert list(Subscription.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_a_changed_row_is_updated_in_place():
    import_directory(copy.deepcopy(VALID))
    data = copy.deepcopy(VALID)
    data["tenants"][0]["subscriptions"][0]["state"] = "expired"

    report = import_directory(data)

    assert report.updated["subscriptions"] == 1
    assert Subscription.objects.get(pk=SUBSCRIPTION).state == "expired"
    assert _counts() == (2, 1, 2, 2)


def _broken(path: tuple, value):
    data = copy.deepcopy(VALID)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


BAD_ROWS = [
    (("tenants", 0, "tenant_id"), "not-a-guid", "tenants[0].tenant_id"),
    (("tenants", 0, "display_name"), "", "tenants[0].display_name"),
    (("tenants", 0, "domains", 1, "name"), "not a domain", "tenants[0].domains[1].name"),
    (("tenants", 0, "subscriptions", 1, "state"), "paused", "tenants[0].subscriptions[1].state"),
    (
        ("tenants", 0, "subscriptions", 1, "channel"),
        "retail",
        "tenants[0].subscriptions[1].channel",
    ),
    (("tenants", 0, "subscriptions", 1, "product"), "visio", "tenants[0].subscriptions[1].product"),
    (("products", 1, "solution_area"), "security", "products[1].solution_area"),
    (("tenants", 0, "subscriptions"), "none", "tenants[0].subscriptions"),
    (("tenants", 0, "colour"), "blue", "tenants[0]"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "value", "position"), BAD_ROWS)
def test_a_bad_row_aborts_the_file_with_its_position_and_writes_nothing(
    tmp_path, path, value, position
):
    with pytest.raises(CommandError) as error:
        call_command("import_directory", _write(tmp_path, _broken(path, value)))

    assert f"{position}:" in str(error.value)
    assert "nothing was imported" in str(error.value)
    assert _counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_a_bad_last_row_rolls_back_the_rows_before_it():
    data = copy.deepcopy(VALID)
    data["tenants"].append({"tenant_id": str(uuid.uuid4()), "display_name": ""})

    with pytest.raises(ImportRowError, match=r"tenants\[1\]\.display_name"):
        import_directory(data)

    assert _counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_a_domain_taken_by_another_tenant_in_the_same_file_moves_with_the_file():
    data = copy.deepcopy(VALID)
    data["tenants"].append(
        {
            "tenant_id": str(uuid.uuid4()),
            "display_name": "Fabrikam",
            "domains": [{"name": "contoso.onmicrosoft.com"}],
        }
    )

    import_directory(data)

    assert Domain.objects.get(name="contoso.onmicrosoft.com").tenant.display_name == "Fabrikam"


@pytest.mark.django_db
def test_a_file_that_is_not_json_names_the_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"products": [\n  {"code": }\n]}', encoding="utf-8")

    with pytest.raises(
        CommandError, match=r"products\[0\]: not valid JSON here: Unexpected symbol"
    ):
        call_command("import_directory", str(path))


@pytest.mark.django_db
def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_directory", str(tmp_path / "missing.json"))


@pytest.mark.django_db
def test_a_large_file_shows_a_progress_bar(tmp_path, capsys):
    data = {
        "products": VALID["products"],
        "tenants": [
            {"tenant_id": str(uuid.UUID(int=n)), "display_name": f"Customer {n}"}
            for n in range(1, 600)
        ],
    }

    call_command("import_directory", _write(tmp_path, data))

    assert Tenant.objects.count() == 599
    output = capsys.readouterr()
    assert "601 rows in" in output.out
    assert "601 rows" in output.err
    assert "rows/s" in output.err
