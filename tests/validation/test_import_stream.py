"""The streamed directory import: JSON Lines and the JSON shape, strict types, atomic files,
full imports that only report what they would remove, --changes deltas, domain moves."""

import io
import json
import tracemalloc
import uuid

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from associations.models import Claim, ClaimStatus
from disputes import services as reviews
from tests.builders import make_mpn, make_product, make_request
from validation.directory_files import read_records
from validation.models import Domain, Product, Subscription, Tenant

PRODUCTS = [
    {"code": "d365-sales", "name": "Dynamics 365 Sales", "solution_area": "business_applications"},
    {"code": "teams", "name": "Microsoft Teams", "solution_area": "microsoft_365"},
]


def _tenant(n: int, *, state: str = "active") -> dict:
    return {
        "tenant_id": str(uuid.UUID(int=n)),
        "display_name": f"Customer {n}",
        "domains": [
            {"name": f"customer{n}.onmicrosoft.com", "initial": True},
            {"name": f"customer{n}.example"},
        ],
        "subscriptions": [
            {
                "subscription_id": str(uuid.UUID(int=1_000_000 + n)),
                "product": "d365-sales",
                "channel": "volume_licensing",
                "state": state,
            }
        ],
    }


def _lines(path, records) -> str:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return str(path)


def _jsonl(tmp_path, tenants, name="directory.jsonl", products=PRODUCTS) -> str:
    return _lines(tmp_path / name, [{"product": p} for p in products] + tenants)


def _database() -> tuple:
    return (
        sorted(Product.objects.values_list("code", "name", "solution_area")),
        sorted(Tenant.objects.values_list("tenant_id", "display_name")),
        sorted(Domain.objects.values_list("name", "tenant_id", "is_initial")),
        sorted(
            Subscription.objects.values_list(
                "subscription_id", "tenant_id", "product__code", "channel", "provisioned", "state"
            )
        ),
    )


def _counts() -> tuple[int, int, int, int]:
    return tuple(len(rows) for rows in _database())


@pytest.mark.django_db
def test_the_same_file_twice_changes_nothing_the_second_time(tmp_path, capsys):
    path = _jsonl(tmp_path, [_tenant(n) for n in range(1, 21)])
    call_command("import_directory", path)
    first = _database()
    capsys.readouterr()

    call_command("import_directory", path)

    assert _database() == first
    out = capsys.readouterr().out
    assert "customer tenants: 0 created, 0 updated, 20 unchanged" in out
    assert "domains: 0 created, 0 updated, 40 unchanged" in out
    assert "subscriptions: 0 created, 0 updated, 20 unchanged" in out
    assert "products: 0 created, 0 updated, 2 unchanged" in out


@pytest.mark.django_db
def test_json_lines_and_the_json_shape_give_the_same_database(tmp_path):
    tenants = [_tenant(n) for n in range(1, 11)]
    call_command("import_directory", _jsonl(tmp_path, tenants))
    from_lines = _database()
    Subscription.objects.all().delete()
    Domain.objects.all().delete()
    Tenant.objects.all().delete()
    Product.objects.all().delete()
    path = tmp_path / "directory.json"
    path.write_text(json.dumps({"products": PRODUCTS, "tenants": tenants}), encoding="utf-8")

    call_command("import_directory", str(path))

    assert _database() == from_lines
    assert _counts() == (2, 10, 20, 10)


@pytest.mark.django_db
def test_a_json_lines_file_is_recognised_by_its_content(tmp_path):
    _jsonl(tmp_path, [_tenant(1)], name="directory.txt")

    call_command("import_directory", str(tmp_path / "directory.txt"))

    assert _counts() == (2, 1, 2, 1)


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [0, 25, 49])
def test_a_bad_row_at_the_start_middle_or_end_writes_nothing_and_names_its_line(tmp_path, bad):
    tenants = [_tenant(n) for n in range(1, 51)]
    tenants[bad]["subscriptions"][0]["state"] = "paused"
    path = _jsonl(tmp_path, tenants)

    with pytest.raises(CommandError) as error:
        call_command("import_directory", path)

    line = bad + 1 + len(PRODUCTS)
    assert f"nothing was imported. line {line}.subscriptions[0].state:" in str(error.value)
    assert _counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_an_unknown_product_in_the_last_row_writes_nothing(tmp_path):
    tenants = [_tenant(n) for n in range(1, 6)]
    tenants[-1]["subscriptions"][0]["product"] = "visio"

    with pytest.raises(CommandError, match=r"line 7\.subscriptions\[0\]\.product: unknown"):
        call_command("import_directory", _jsonl(tmp_path, tenants))

    assert _counts() == (0, 0, 0, 0)


STRICT = [
    (lambda t: t.update(display_name=["Contoso"]), "display_name: expected text, not a list"),
    (
        lambda t: t["subscriptions"][0].update(provisioned="no"),
        "subscriptions[0].provisioned: expected true or false, not the text 'no'",
    ),
    (lambda t: t["domains"][0].update(initial=1), "domains[0].initial: expected true or false"),
    (lambda t: t.update(display_name=12), "display_name: expected text, not a number"),
    (lambda t: t.update(display_name={"en": "x"}), "display_name: expected text, not an object"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("breaks", "message"), STRICT)
@pytest.mark.parametrize("shape", ["jsonl", "json"])
def test_a_value_of_the_wrong_type_is_refused_not_coerced(tmp_path, breaks, message, shape):
    tenant = _tenant(1)
    breaks(tenant)
    if shape == "jsonl":
        path, position = _jsonl(tmp_path, [tenant]), "line 3"
    else:
        path, position = tmp_path / "d.json", "tenants[0]"
        path.write_text(json.dumps({"products": PRODUCTS, "tenants": [tenant]}))

    with pytest.raises(CommandError) as error:
        call_command("import_directory", str(path))

    assert f"{position}.{message}" in str(error.value)
    assert _counts() == (0, 0, 0, 0)


def _text_with(tenant_text: str, shape: str) -> str:
    if shape == "jsonl":
        return "".join(json.dumps({"product": p}) + "\n" for p in PRODUCTS) + tenant_text + "\n"
    return '{"products": ' + json.dumps(PRODUCTS) + ', "tenants": [' + tenant_text + "]}"


TENANT_ID = str(uuid.UUID(int=1))
SYNTAX = [
    (f'{{"tenant_id": "{TENANT_ID}", "display_name": "A", "display_name": "B"}}', "duplicate key"),
    (f'{{"tenant_id": "{TENANT_ID}", "display_name": {"9" * 5000}}}', "a number"),
    (f'{{"tenant_id": "{TENANT_ID}", "display_name": {"[" * 5000 + "]" * 5000}}}', "deep"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "kind"), SYNTAX)
@pytest.mark.parametrize("shape", ["jsonl", "json"])
def test_duplicate_keys_huge_numbers_and_deep_nesting_name_the_record(tmp_path, text, kind, shape):
    path = tmp_path / f"directory.{shape}"
    path.write_text(_text_with(text, shape), encoding="utf-8")

    with pytest.raises(CommandError) as error:
        call_command("import_directory", str(path))

    message = str(error.value)
    assert ("line 3" if shape == "jsonl" else "tenants[0]") in message
    assert "nothing was imported" in message
    assert {
        "duplicate key": "duplicate key 'display_name'",
        "a number": "number",
        "deep": "nested too deeply" if shape == "json" else "",
    }[kind] in message
    assert _counts() == (0, 0, 0, 0)


def _peak_while_reading(text: bytes, *, json_lines: bool) -> int:
    stream = io.BytesIO(text)
    tracemalloc.start()
    try:
        for _record in read_records(stream, json_lines=json_lines):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("json_lines", [True, False])
def test_the_parser_memory_stays_flat_as_the_file_grows(json_lines):
    def generated(count: int) -> bytes:
        tenants = [_tenant(n) for n in range(1, count + 1)]
        if json_lines:
            return "".join(json.dumps(t) + "\n" for t in tenants).encode()
        return json.dumps({"products": PRODUCTS, "tenants": tenants}).encode()

    small, large = generated(1000), generated(16000)
    small_peak = _peak_while_reading(small, json_lines=json_lines)
    large_peak = _peak_while_reading(large, json_lines=json_lines)

    # Sixteen times the rows; the peak stays that of a few records, not of the file.
    assert large_peak < 1.5 * small_peak + 64_000
    assert large_peak < 2_000_000 < len(large)


@pytest.mark.django_db
def test_a_full_import_reports_what_it_would_remove_and_removes_only_with_prune(tmp_path, capsys):
    call_command("import_directory", _jsonl(tmp_path, [_tenant(n) for n in range(1, 4)]))
    shorter = _jsonl(tmp_path, [_tenant(1), _tenant(2)], name="shorter.jsonl")
    capsys.readouterr()

    call_command("import_directory", shorter)

    assert _counts() == (2, 3, 6, 3)
    assert "kept (--prune removes them): 1 customer tenants, 2 domains, 1 subscriptions" in (
        capsys.readouterr().out
    )

    call_command("import_directory", shorter, "--prune")

    assert _counts() == (2, 2, 4, 2)
    assert not Tenant.objects.filter(pk=uuid.UUID(int=3)).exists()
    assert "customer tenants: 0 created, 0 updated, 2 unchanged, 1 removed" in (
        capsys.readouterr().out
    )


@pytest.mark.django_db
def test_changes_apply_only_what_they_list(tmp_path):
    call_command("import_directory", _jsonl(tmp_path, [_tenant(n) for n in range(1, 4)]))
    changed = _tenant(2, state="expired")
    changed["domains"] = []
    delta = _lines(
        tmp_path / "delta.jsonl",
        [
            changed,
            _tenant(4),
            {"remove": {"domain": "Customer1.example"}},
            {"remove": {"tenant": str(uuid.UUID(int=3))}},
        ],
    )

    call_command("import_directory", "--changes", delta)

    assert Subscription.objects.get(pk=uuid.UUID(int=1_000_002)).state == "expired"
    assert Domain.objects.filter(tenant_id=uuid.UUID(int=2)).count() == 2  # not listed: kept
    assert not Domain.objects.filter(name="customer1.example").exists()
    assert sorted(Tenant.objects.values_list("display_name", flat=True)) == [
        "Customer 1",
        "Customer 2",
        "Customer 4",
    ]
    assert _counts() == (2, 3, 5, 3)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("removal", "message"),
    [
        ({"tenant": "not-a-guid"}, "line 1.remove.tenant: Enter a valid UUID."),
        ({"colour": "blue"}, "line 1.remove: a removal is one of"),
        ({"domain": ["a.example"]}, "line 1.remove.domain: expected text, not a list"),
        ({"domain": "bad domain\x00"}, "line 1.remove.domain:"),
    ],
)
def test_a_bad_removal_is_refused(tmp_path, removal, message):
    path = _lines(tmp_path / "delta.jsonl", [{"remove": removal}])

    with pytest.raises(CommandError) as error:
        call_command("import_directory", "--changes", path)

    assert message in str(error.value)


@pytest.mark.django_db
def test_a_full_file_cannot_remove(tmp_path):
    path = _lines(tmp_path / "d.jsonl", [{"remove": {"tenant": str(uuid.UUID(int=1))}}])

    with pytest.raises(CommandError, match="removals belong in a --changes file"):
        call_command("import_directory", path)


@pytest.mark.django_db
def test_changes_and_prune_do_not_go_together(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_directory", "--changes", "--prune", _jsonl(tmp_path, []))


@pytest.fixture
def claimed(global_admin, reviewer, tmp_path):
    """Customer 1 in the directory, with an approved claim on its subscription."""
    call_command("import_directory", _jsonl(tmp_path, [_tenant(1)], name="base.jsonl"))
    tenant = Tenant.objects.get(pk=uuid.UUID(int=1))
    request = make_request(
        global_admin.membership.organisation,
        global_admin,
        tenant=tenant,
        domain="customer1.example",
        products=[(make_product("d365-sales"), str(uuid.UUID(int=1_000_001)))],
        mpn=make_mpn(global_admin.membership.organisation, mpn_id="1234567"),
    )
    return reviews.claim_approve(actor=reviewer, claim=request.claims.get())


def test_a_delta_removing_the_subscription_of_an_approved_claim_ends_it_once(
    tmp_path, claimed, global_admin, django_capture_on_commit_callbacks
):
    delta = _lines(
        tmp_path / "delta.jsonl", [{"remove": {"subscription": str(uuid.UUID(int=1_000_001))}}]
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_directory", "--changes", delta)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_directory", "--changes", delta)

    claimed.refresh_from_db()
    assert claimed.status == ClaimStatus.ENDED
    notices = [c for c in claimed.request.comments.all() if "no longer active" in c.body]
    assert len(notices) == 1
    assert len([m for m in mail.outbox if "no longer active" in m.body]) == 1


def test_an_unchanged_reimport_leaves_approved_claims_alone(
    tmp_path, claimed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("import_directory", str(tmp_path / "base.jsonl"))

    assert callbacks == []
    claimed.refresh_from_db()
    assert claimed.status == ClaimStatus.APPROVED


def test_a_domain_that_claims_use_does_not_move_without_allow_moves(tmp_path, claimed):
    other = _tenant(2)
    other["domains"].append({"name": "customer1.example"})
    path = _jsonl(tmp_path, [_tenant(1), other], name="moved.jsonl")

    with pytest.raises(CommandError) as error:
        call_command("import_directory", path)

    assert "line 4.domains[2].name: customer1.example would move from tenant" in str(error.value)
    assert "--allow-moves" in str(error.value)
    assert Domain.objects.get(name="customer1.example").tenant_id == uuid.UUID(int=1)
    assert not Tenant.objects.filter(pk=uuid.UUID(int=2)).exists()

    call_command("import_directory", path, "--allow-moves")

    assert Domain.objects.get(name="customer1.example").tenant_id == uuid.UUID(int=2)


@pytest.mark.django_db
def test_a_domain_no_claim_uses_moves_and_is_reported(tmp_path, capsys):
    call_command("import_directory", _jsonl(tmp_path, [_tenant(1)]))
    other = _tenant(2)
    other["domains"].append({"name": "customer1.example"})

    call_command("import_directory", _jsonl(tmp_path, [_tenant(1), other], name="moved.jsonl"))

    assert Domain.objects.get(name="customer1.example").tenant_id == uuid.UUID(int=2)
    assert "1 domain(s) moved to another tenant" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_last_of_two_rows_with_one_key_wins(tmp_path):
    tenant = _tenant(1)
    tenant["domains"] = [{"name": "twice.example", "initial": True}, {"name": "Twice.example"}]

    call_command("import_directory", _jsonl(tmp_path, [tenant]))

    assert Domain.objects.get(name="twice.example").is_initial is False


def test_a_delta_expiring_a_workload_ends_the_microsoft_365_claim(
    tmp_path, global_admin, reviewer, django_capture_on_commit_callbacks
):
    tenant_row = _tenant(1)
    tenant_row["subscriptions"][0]["product"] = "teams"
    call_command("import_directory", _jsonl(tmp_path, [tenant_row]))
    request = make_request(
        global_admin.membership.organisation,
        global_admin,
        tenant=Tenant.objects.get(),
        solution_area="microsoft_365",
        products=[(Product.objects.get(code="teams"), None)],
        mpn=make_mpn(global_admin.membership.organisation, mpn_id="1234567"),
    )
    claim = reviews.claim_approve(actor=reviewer, claim=request.claims.get())
    tenant_row["subscriptions"][0]["state"] = "expired"

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_directory", "--changes", _lines(tmp_path / "d.jsonl", [tenant_row]))

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ENDED


def test_the_recheck_after_a_delta_covers_only_the_subscriptions_it_changed(
    tmp_path, claimed, django_capture_on_commit_callbacks
):
    Subscription.objects.filter(pk=claimed.subscription_id).update(state="expired")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_directory", "--changes", _lines(tmp_path / "d.jsonl", [_tenant(2)]))

    claimed.refresh_from_db()
    assert claimed.status == ClaimStatus.APPROVED  # the daily re-check's job, not this one's


def test_a_delta_ending_several_claims_tells_each_partner_once(
    tmp_path, global_admin, reviewer, django_capture_on_commit_callbacks
):
    call_command("import_directory", _jsonl(tmp_path, [_tenant(n) for n in (1, 2, 3)]))
    organisation = global_admin.membership.organisation
    mpn = make_mpn(organisation, mpn_id="1234567")
    claims = [
        reviews.claim_approve(
            actor=reviewer,
            claim=make_request(
                organisation,
                global_admin,
                tenant=Tenant.objects.get(pk=uuid.UUID(int=n)),
                domain=f"customer{n}.example",
                products=[
                    (Product.objects.get(code="d365-sales"), str(uuid.UUID(int=1_000_000 + n)))
                ],
                mpn=mpn,
            ).claims.get(),
        )
        for n in (1, 2, 3)
    ]
    mail.outbox.clear()
    delta = [_tenant(1, state="deleted"), _tenant(2, state="disabled")]

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_directory", "--changes", _lines(tmp_path / "d.jsonl", delta))

    for claim in claims:
        claim.refresh_from_db()
    assert [claim.status for claim in claims] == ["ended", "ended", "approved"]
    for claim in claims[:2]:
        assert claim.request.comments.filter(body__contains="no longer active").count() == 1
    assert len([m for m in mail.outbox if "no longer active" in m.body]) == 2


@pytest.mark.django_db
def test_a_json_shape_changes_file_lists_its_removals_in_a_remove_section(tmp_path):
    call_command("import_directory", _jsonl(tmp_path, [_tenant(1), _tenant(2)]))
    path = tmp_path / "delta.json"
    path.write_text(
        json.dumps({"remove": [{"subscription": str(uuid.UUID(int=1_000_002))}]}),
        encoding="utf-8",
    )

    call_command("import_directory", "--changes", str(path))

    assert list(Subscription.objects.values_list("pk", flat=True)) == [uuid.UUID(int=1_000_001)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("display_name", "Contoso\x00", "line 3.display_name: Null characters are not allowed."),
        ("display_name", "x" * 201, "line 3.display_name: Ensure this value has at most 200"),
        ("tenant_id", "12", "line 3.tenant_id: Enter a valid UUID."),
    ],
)
def test_a_nul_byte_an_over_long_name_or_a_bad_id_is_a_row_error(tmp_path, field, value, message):
    tenant = _tenant(1)
    tenant[field] = value

    with pytest.raises(CommandError) as error:
        call_command("import_directory", _jsonl(tmp_path, [tenant]))

    assert message in str(error.value)
    assert _counts() == (0, 0, 0, 0)


def test_a_domain_whose_claims_are_all_settled_moves_freely(tmp_path, claimed):
    other = _tenant(2)
    other["domains"].append({"name": "customer1.example"})
    Claim.objects.filter(pk=claimed.pk).update(status=ClaimStatus.ENDED)

    call_command("import_directory", _jsonl(tmp_path, [_tenant(1), other], name="moved.jsonl"))

    assert Domain.objects.get(name="customer1.example").tenant_id == uuid.UUID(int=2)
