"""JSON importers for the customer directory and the partner organisations.

Both are all-or-nothing: the whole file runs in one transaction and the first bad row aborts it
with its position (`tenants[3].subscriptions[1].state`) and reason, so nothing is half-written.
Rows are validated by Django forms, the same machinery and text fields the portal's pages use
(a name is one line, without a hidden character that would make it read as another), and
written as upserts that touch only what differs, so re-importing a file changes nothing.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from uuid import UUID

from django import forms
from django.contrib.auth import get_user_model
from django.db import models, transaction
from tqdm import tqdm

from core.forms import EmailAddressField, OneLineField
from partners.catalog import Channel, SolutionArea
from partners.models import Enrolment, IncentiveProgram, Membership, MpnId, Organisation, Role
from validation.domains import normalise_domain
from validation.models import Domain, Product, Subscription, SubscriptionState, Tenant
from validation.signals import directory_imported

PROGRESS_THRESHOLD = 500  # rows; smaller files import too fast for a bar to help


class ImportRowError(Exception):
    def __init__(self, position: str, reason: str):
        super().__init__(f"{position}: {reason}")
        self.position = position
        self.reason = reason


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        names = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return "; ".join(
            f"{name}: {self.created[name]} created, {self.updated[name]} updated, "
            f"{self.unchanged[name]} unchanged"
            for name in names
        )


def _upsert(report: ImportReport, model: type[models.Model], lookup: dict, values: dict):
    """Create the row, or update only the fields that differ."""
    label = model._meta.verbose_name_plural
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        report.created[label] += 1
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        report.updated[label] += 1
    else:
        report.unchanged[label] += 1
    return obj


def _clean(form_class: type[forms.Form], row, position: str, nested: Iterable[str] = ()) -> dict:
    if not isinstance(row, dict):
        raise ImportRowError(position, "expected a JSON object")
    unknown = set(row) - set(form_class.base_fields) - set(nested)
    if unknown:
        raise ImportRowError(position, f"unknown field(s): {', '.join(sorted(unknown))}")
    form = form_class(data=row)
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        raise ImportRowError(f"{position}.{name}", " ".join(errors))
    return form.cleaned_data


def _rows(data: dict, key: str, position: str) -> list:
    rows = data.get(key, [])
    if not isinstance(rows, list):
        raise ImportRowError(f"{position}{key}", "expected a JSON list")
    return rows


class DomainField(forms.CharField):
    def clean(self, value):
        return normalise_domain(super().clean(value))


class ProductRow(forms.Form):
    code = forms.SlugField(max_length=64)
    name = OneLineField(max_length=200)
    solution_area = forms.ChoiceField(choices=SolutionArea.choices)


class TenantRow(forms.Form):
    tenant_id = forms.UUIDField()
    display_name = OneLineField(max_length=200)


class DomainRow(forms.Form):
    name = DomainField(max_length=253)
    initial = forms.NullBooleanField(required=False)


class SubscriptionRow(forms.Form):
    subscription_id = forms.UUIDField()
    product = forms.SlugField(max_length=64)
    channel = forms.ChoiceField(choices=Channel.choices)
    provisioned = forms.NullBooleanField(required=False)
    state = forms.ChoiceField(choices=SubscriptionState.choices)


class ProgramRow(forms.Form):
    solution_area = forms.ChoiceField(choices=SolutionArea.choices)
    name = OneLineField(max_length=200)


class OrganisationRow(forms.Form):
    name = OneLineField(max_length=200)


TENANTS = "entra_tenant_ids"
TENANT_ID = forms.UUIDField(error_messages={"invalid": "An Entra tenant ID is a GUID."})


class MpnRow(forms.Form):
    mpn_id = forms.RegexField(
        regex=r"^[0-9]{6,7}$", error_messages={"invalid": "An MPN ID has 6 or 7 digits."}
    )
    location = OneLineField(max_length=200)
    country = forms.RegexField(
        regex=r"^[A-Z]{2}$", error_messages={"invalid": "Use a two-letter country code."}
    )
    partner_type = OneLineField(max_length=100, required=False)


class UserRow(forms.Form):
    username = OneLineField(max_length=150)
    email = EmailAddressField(required=False)
    first_name = OneLineField(max_length=150, required=False)
    last_name = OneLineField(max_length=150, required=False)
    role = forms.ChoiceField(choices=Role.choices)


def _progress(total: int, description: str, stream) -> tqdm:
    return tqdm(
        total=total,
        desc=description,
        unit="row",
        file=stream,
        disable=stream is None or total < PROGRESS_THRESHOLD,
    )


def _check_top_level(data, allowed: set[str]) -> None:
    if not isinstance(data, dict):
        raise ImportRowError("(file)", "expected a JSON object at the top level")
    unknown = set(data) - allowed
    if unknown:
        raise ImportRowError("(file)", f"unknown section(s): {', '.join(sorted(unknown))}")


def import_directory(data, *, progress_stream=None) -> ImportReport:
    _check_top_level(data, {"products", "tenants"})
    report = ImportReport()
    products = _rows(data, "products", "")
    tenants = _rows(data, "tenants", "")
    with (
        transaction.atomic(),
        _progress(len(products) + len(tenants), "directory", progress_stream) as bar,
    ):
        for index, row in enumerate(products):
            cleaned = _clean(ProductRow, row, f"products[{index}]")
            _upsert(
                report,
                Product,
                {"code": cleaned["code"]},
                {"name": cleaned["name"], "solution_area": cleaned["solution_area"]},
            )
            bar.update()
        product_ids = dict(Product.objects.values_list("code", "pk"))
        for index, row in enumerate(tenants):
            _import_tenant(report, row, f"tenants[{index}]", product_ids)
            bar.update()
        if report.changed:
            transaction.on_commit(lambda: directory_imported.send(sender=import_directory))
    return report


def _import_tenant(report: ImportReport, row, position: str, product_ids: dict[str, int]) -> None:
    cleaned = _clean(TenantRow, row, position, nested=("domains", "subscriptions"))
    tenant = _upsert(
        report,
        Tenant,
        {"tenant_id": cleaned["tenant_id"]},
        {"display_name": cleaned["display_name"]},
    )
    for index, domain_row in enumerate(_rows(row, "domains", f"{position}.")):
        domain = _clean(DomainRow, domain_row, f"{position}.domains[{index}]")
        _upsert(
            report,
            Domain,
            {"name": domain["name"]},
            {"tenant_id": tenant.pk, "is_initial": bool(domain["initial"])},
        )
    for index, sub_row in enumerate(_rows(row, "subscriptions", f"{position}.")):
        sub_position = f"{position}.subscriptions[{index}]"
        sub = _clean(SubscriptionRow, sub_row, sub_position)
        if sub["product"] not in product_ids:
            raise ImportRowError(f"{sub_position}.product", f"unknown product {sub['product']!r}")
        _upsert(
            report,
            Subscription,
            {"subscription_id": sub["subscription_id"]},
            {
                "tenant_id": tenant.pk,
                "product_id": product_ids[sub["product"]],
                "channel": sub["channel"],
                "provisioned": sub["provisioned"] is not False,
                "state": sub["state"],
            },
        )


def import_partners(
    data, *, progress_stream=None, on_user_created: Callable | None = None
) -> ImportReport:
    _check_top_level(data, {"incentive_programs", "organisations"})
    report = ImportReport()
    programs = _rows(data, "incentive_programs", "")
    organisations = _rows(data, "organisations", "")
    with (
        transaction.atomic(),
        _progress(len(programs) + len(organisations), "partners", progress_stream) as bar,
    ):
        for index, row in enumerate(programs):
            cleaned = _clean(ProgramRow, row, f"incentive_programs[{index}]")
            _upsert(
                report,
                IncentiveProgram,
                {"solution_area": cleaned["solution_area"]},
                {"name": cleaned["name"]},
            )
            bar.update()
        program_ids = dict(IncentiveProgram.objects.values_list("solution_area", "pk"))
        for index, row in enumerate(organisations):
            _import_organisation(
                report, row, f"organisations[{index}]", program_ids, on_user_created
            )
            bar.update()
    return report


def _import_organisation(report, row, position, program_ids, on_user_created) -> None:
    cleaned = _clean(OrganisationRow, row, position, nested=("mpn_ids", "users", TENANTS))
    values = {}
    if TENANTS in row:  # absent: the tenants stay as the admin set them
        values[TENANTS] = _tenant_ids(row, position)
    existing = Organisation.objects.filter(name__iexact=cleaned["name"]).first()
    organisation = _upsert(
        report,
        Organisation,
        {"pk": existing.pk} if existing else {"name": cleaned["name"]},
        values,
    )
    for index, mpn_row in enumerate(_rows(row, "mpn_ids", f"{position}.")):
        mpn_position = f"{position}.mpn_ids[{index}]"
        mpn = _clean(MpnRow, mpn_row, mpn_position, nested=("enrolled_in",))
        owner = MpnId.objects.filter(mpn_id=mpn["mpn_id"]).values_list("organisation_id", flat=True)
        if owner and owner[0] != organisation.pk:
            raise ImportRowError(
                f"{mpn_position}.mpn_id", "this MPN ID belongs to another organisation"
            )
        mpn_obj = _upsert(
            report,
            MpnId,
            {"mpn_id": mpn["mpn_id"]},
            {
                "organisation_id": organisation.pk,
                "location_name": mpn["location"],
                "country": mpn["country"],
                "partner_type": mpn["partner_type"],
            },
        )
        for area in _rows(mpn_row, "enrolled_in", f"{mpn_position}."):
            if area not in program_ids:
                raise ImportRowError(
                    f"{mpn_position}.enrolled_in", f"no incentive program for {area!r}"
                )
            _upsert(report, Enrolment, {"mpn_id": mpn_obj.pk, "program_id": program_ids[area]}, {})
    for index, user_row in enumerate(_rows(row, "users", f"{position}.")):
        _import_user(report, user_row, f"{position}.users[{index}]", organisation, on_user_created)


def _tenant_ids(row: dict, position: str) -> list[UUID]:
    """The organisation's Entra tenant IDs, sorted so an unchanged list compares equal."""
    tenants = set()
    for index, value in enumerate(_rows(row, TENANTS, f"{position}.")):
        try:
            tenants.add(TENANT_ID.clean(value))
        except forms.ValidationError as error:
            raise ImportRowError(
                f"{position}.{TENANTS}[{index}]", " ".join(error.messages)
            ) from None
    return sorted(tenants)


def _import_user(report, row, position, organisation, on_user_created) -> None:
    user_model = get_user_model()
    cleaned = _clean(UserRow, row, position)
    if user_model.objects.filter(username=cleaned["username"], is_staff=True).exists():
        raise ImportRowError(
            f"{position}.username", "this is a vendor staff account; a partner file cannot use it"
        )
    membership = (
        Membership.objects.filter(user__username=cleaned["username"])
        .values_list("organisation_id", flat=True)
        .first()
    )
    if membership is not None and membership != organisation.pk:
        raise ImportRowError(f"{position}.username", "this user belongs to another organisation")
    email = cleaned["email"]
    if email and (
        user_model.objects.filter(email__iexact=email)
        .exclude(username=cleaned["username"])
        .exists()
    ):
        # One address, one person: sign-in, password reset and single sign-on go by it.
        raise ImportRowError(f"{position}.email", "another user has this e-mail address")
    existed = user_model.objects.filter(username=cleaned["username"]).exists()
    user = _upsert(
        report,
        user_model,
        {"username": cleaned["username"]},
        {
            "email": cleaned["email"],
            "first_name": cleaned["first_name"],
            "last_name": cleaned["last_name"],
        },
    )
    if not existed:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    _upsert(
        report,
        Membership,
        {"user_id": user.pk},
        {"organisation_id": organisation.pk, "role": cleaned["role"]},
    )
    if not existed and on_user_created is not None:
        on_user_created(user, organisation)
