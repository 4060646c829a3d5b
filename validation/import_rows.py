"""What both importers share: strict row cleaning with the portal's form fields, the report.

A row is cleaned field by field with the fields of a Django form (the same validators and
messages as the portal's pages), after a type check the form would not make: Django would read
a list as its text and `"no"` as no answer, so a value of the wrong JSON type is refused here.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from uuid import UUID

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

from validation.directory_files import ImportRowError, JsonNumber

# A choice, a product code or a yes/no repeats on every row: each value is cleaned once (the
# same field, the same value, the same result), which halves the time of a big import.
REMEMBERED_VALUES = 256
_CLEANED: dict[forms.Field, dict] = {}


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _is_uuid(form_field: forms.Field) -> bool:
    """A plain UUIDField: its only validator (no NUL byte) passes every canonical UUID."""
    return type(form_field) is forms.UUIDField and all(
        isinstance(validator, ProhibitNullCharactersValidator)
        for validator in form_field.validators
    )


def remember_cleaned(*fields: forms.Field) -> None:
    """Clean each distinct value of these fields once: they hold a few values, repeated."""
    for form_field in fields:
        _CLEANED.setdefault(form_field, {})


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    would_remove: Counter = field(default_factory=Counter)
    moved_domains: int = 0
    rows: int = 0

    @property
    def changed(self) -> bool:
        return any(
            count
            for counter in (self.created, self.updated, self.removed)
            for count in counter.values()
        )

    def summary(self) -> str:
        names = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        parts = [
            f"{name}: {self.created[name]} created, {self.updated[name]} updated, "
            f"{self.unchanged[name]} unchanged"
            + (f", {self.removed[name]} removed" if self.removed[name] else "")
            for name in names
        ]
        if self.moved_domains:
            parts.append(f"{self.moved_domains} domain(s) moved to another tenant")
        if +self.would_remove:
            missing = ", ".join(
                f"{count} {name}" for name, count in sorted(self.would_remove.items())
            )
            parts.append(f"not in the file, kept (--prune removes them): {missing}")
        return "; ".join(parts)


def describe(value) -> str:
    """A JSON value as the error message names it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, JsonNumber):
        return "a number"
    return "null" if value is None else type(value).__name__


def check_text(value, position: str) -> None:
    if value is not None and not isinstance(value, str):
        raise ImportRowError(position, f"expected text, not {describe(value)}")


def clean_row(
    form_class: type[forms.Form], row, position: str, nested: tuple[str, ...] = ()
) -> dict:
    if not isinstance(row, dict):
        raise ImportRowError(position, "expected a JSON object")
    unknown = set(row) - set(form_class.base_fields) - set(nested)
    if unknown:
        raise ImportRowError(position, f"unknown field(s): {', '.join(sorted(unknown))}")
    cleaned = {}
    for name, form_field in form_class.base_fields.items():
        value = row.get(name)
        if isinstance(form_field, forms.NullBooleanField):
            if value is not None and not isinstance(value, bool):
                raise ImportRowError(
                    f"{position}.{name}", f"expected true or false, not {describe(value)}"
                )
        else:
            check_text(value, f"{position}.{name}")
        if type(value) is str and _CANONICAL_UUID.fullmatch(value) and _is_uuid(form_field):
            cleaned[name] = UUID(value)  # what the field returns for this spelling, sooner
            continue
        known = _CLEANED.get(form_field)
        if known is not None and value in known:
            cleaned[name] = known[value]
            continue
        try:
            cleaned[name] = form_field.clean(value)
        except ValidationError as error:
            raise ImportRowError(f"{position}.{name}", " ".join(error.messages)) from None
        if known is not None and len(known) < REMEMBERED_VALUES:
            known[value] = cleaned[name]
    return cleaned


def rows_of(data: dict, key: str, position: str) -> list:
    rows = data.get(key, [])
    if not isinstance(rows, list):
        raise ImportRowError(f"{position}{key}", "expected a JSON list")
    return rows
