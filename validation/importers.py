"""JSON importers for the customer directory and the partner organisations.

Both are all-or-nothing: the whole file runs in one transaction and the first bad row aborts it
with its position (`tenants[3].subscriptions[1].state`) and reason, so nothing is half-written.
Rows are validated by Django form fields, the same machinery and text fields the portal's pages
use (a name is one line, without a hidden character that would make it read as another), with
strict JSON types, and re-importing a file changes nothing. The directory is applied set-based
(validation/directory_import.py); partner files, smaller, are upserted row by row.
"""

from collections.abc import Callable, Iterator
from uuid import UUID

from django import forms
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q
from tqdm import tqdm

from core.forms import EmailAddressField, OneLineField
from partners.catalog import SolutionArea
from partners.models import Enrolment, IncentiveProgram, Membership, MpnId, Organisation, Role
from validation.directory_files import SECTIONS, ImportRowError, Record
from validation.directory_import import directory_apply
from validation.import_rows import ImportReport, check_text, clean_row, rows_of

__all__ = ["ImportReport", "ImportRowError", "import_directory", "import_partners"]

PROGRESS_THRESHOLD = 500  # rows; smaller files import too fast for a bar to help


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


def _data_records(data: dict) -> Iterator[Record]:
    for section, kind in SECTIONS.items():
        for index, row in enumerate(rows_of(data, section, "")):
            yield Record(kind, f"{section}[{index}]", row)


def import_directory(data, **options) -> ImportReport:
    """Import an already-parsed file of the JSON shape (the demo data, tests)."""
    _check_top_level(data, set(SECTIONS))
    return directory_apply(records=_data_records(data), **options)


def import_partners(
    data, *, progress_stream=None, on_user_created: Callable | None = None
) -> ImportReport:
    _check_top_level(data, {"incentive_programs", "organisations"})
    report = ImportReport()
    programs = rows_of(data, "incentive_programs", "")
    organisations = rows_of(data, "organisations", "")
    report.rows = len(programs) + len(organisations)
    with (
        transaction.atomic(),
        _progress(len(programs) + len(organisations), "partners", progress_stream) as bar,
    ):
        for index, row in enumerate(programs):
            cleaned = clean_row(ProgramRow, row, f"incentive_programs[{index}]")
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
    cleaned = clean_row(OrganisationRow, row, position, nested=("mpn_ids", "users", TENANTS))
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
    for index, mpn_row in enumerate(rows_of(row, "mpn_ids", f"{position}.")):
        mpn_position = f"{position}.mpn_ids[{index}]"
        mpn = clean_row(MpnRow, mpn_row, mpn_position, nested=("enrolled_in",))
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
        for index, area in enumerate(rows_of(mpn_row, "enrolled_in", f"{mpn_position}.")):
            check_text(area, f"{mpn_position}.enrolled_in[{index}]")
            if area not in program_ids:
                raise ImportRowError(
                    f"{mpn_position}.enrolled_in", f"no incentive program for {area!r}"
                )
            _upsert(report, Enrolment, {"mpn_id": mpn_obj.pk, "program_id": program_ids[area]}, {})
    for index, user_row in enumerate(rows_of(row, "users", f"{position}.")):
        _import_user(report, user_row, f"{position}.users[{index}]", organisation, on_user_created)


def _tenant_ids(row: dict, position: str) -> list[UUID]:
    """The organisation's Entra tenant IDs, sorted so an unchanged list compares equal."""
    tenants = set()
    for index, value in enumerate(rows_of(row, TENANTS, f"{position}.")):
        check_text(value, f"{position}.{TENANTS}[{index}]")
        try:
            tenants.add(TENANT_ID.clean(value))
        except forms.ValidationError as error:
            raise ImportRowError(
                f"{position}.{TENANTS}[{index}]", " ".join(error.messages)
            ) from None
    return sorted(tenants)


def _import_user(report, row, position, organisation, on_user_created) -> None:
    user_model = get_user_model()
    cleaned = clean_row(UserRow, row, position)
    # A partner file never touches the vendor's staff: not their account under any spelling
    # of its name, and not their address (which would let a partner reset their password).
    staff = user_model.objects.filter(Q(is_staff=True) | Q(is_superuser=True))
    if staff.filter(username__iexact=cleaned["username"]).exists():
        raise ImportRowError(
            f"{position}.username", "this is a vendor staff account; a partner file cannot use it"
        )
    if cleaned["email"] and staff.filter(email__iexact=cleaned["email"]).exists():
        raise ImportRowError(
            f"{position}.email",
            "this is a vendor staff account's e-mail address; a partner file cannot use it",
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
