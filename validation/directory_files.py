"""Reading a directory file as a stream of records, so memory stays flat whatever its size.

Two shapes: JSON Lines (`.jsonl`/`.ndjson`, or content that starts with a tenant), one record
a line, the recommended format for big files; and the one-object JSON shape, read by a streaming
parser (ijson). Both are strict: a duplicate key, a number (no field of the directory holds
one), or nesting deeper than the format's own is an error naming the position, never coerced.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ijson

MAX_DEPTH = 6  # the deepest container of either file format is five levels down
_CONTAINERS = frozenset({"start_map", "start_array"})
_FIRST_KEY = re.compile(rb'\s*\{\s*"([^"\\]*)"')
_PARSE_ERRORS = (ijson.JSONError, ValueError, SystemError)  # yajl: SystemError on a huge number
_LONG_NUMBER = re.compile(r"symbol '[-+.eE0-9]{100,}")
SECTIONS = {"products": "product", "tenants": "tenant", "remove": "remove"}
LINE_KINDS = ("product", "remove")  # a line holding only one of these keys; other lines are tenants


class ImportRowError(Exception):
    def __init__(self, position: str, reason: str):
        super().__init__(f"{position}: {reason}")
        self.position = position
        self.reason = reason


class JsonNumber:
    """A number read from the file, kept unconverted: no field of the directory is a number,
    and converting a 5,000-digit one would be slow or fail."""

    def __repr__(self):
        return "a number"


NUMBER = JsonNumber()


@dataclass(frozen=True, slots=True)
class Record:
    kind: str  # "product", "tenant" or "remove"
    position: str  # "tenants[3]" or "line 4", the prefix of every error in the record
    row: object


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _strict_object(pairs: list) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        for key, _value in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def _number(_text: str) -> JsonNumber:
    return NUMBER


def strict_json(text: str):
    """json.loads with the stream's rules: a duplicate key or a number is an error."""
    try:
        return json.loads(
            text,
            object_pairs_hook=_strict_object,
            parse_int=_number,
            parse_float=_number,
            parse_constant=_number,
        )
    except _DuplicateKey as error:
        raise ImportRowError("(file)", f"duplicate key {error.key!r}") from None
    except RecursionError:
        raise ImportRowError("(file)", "nested too deeply") from None


def is_json_lines(path: Path) -> bool:
    """By the extension, else by the first key: the JSON shape opens with one of its sections."""
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        return True
    with path.open("rb") as stream:
        first_key = _FIRST_KEY.match(stream.read(4096))
    return first_key is not None and first_key[1].decode("utf-8", "replace") not in SECTIONS


def read_records(stream, *, json_lines: bool) -> Iterator[Record]:
    """The file's records in order; `stream` is a binary file object."""
    return _line_records(stream) if json_lines else _json_records(stream)


def _line_records(stream) -> Iterator[Record]:
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        position = f"line {number}"
        try:
            row = strict_json(line.decode("utf-8"))
        except UnicodeDecodeError:
            raise ImportRowError(position, "not UTF-8 text") from None
        except ImportRowError as error:
            raise ImportRowError(position, error.reason) from None
        except json.JSONDecodeError as error:
            raise ImportRowError(
                position, f"not valid JSON: column {error.colno}: {error.msg}"
            ) from None
        if not isinstance(row, dict):
            raise ImportRowError(position, "expected a JSON object")
        kind = next((key for key in LINE_KINDS if key in row), None)
        if kind is None:
            yield Record("tenant", position, row)
        elif len(row) != 1:
            raise ImportRowError(position, f"a {kind!r} line holds that key only")
        else:
            yield Record(kind, f"{position}.{kind}", row[kind])


def _json_records(stream) -> Iterator[Record]:
    """The JSON shape's records. The C parser works a buffer ahead of the records it has
    given, so on an error the file is read again by the pure-Python parser, which fails on the
    very token and so names the right record."""
    where = ["(file)"]
    try:
        yield from _json_sections(stream, ijson, where)
        return
    except _PARSE_ERRORS as error:
        failure = error
    stream.seek(0)
    where = ["(file)"]
    try:
        for _record in _json_sections(stream, ijson.get_backend("python"), where):
            pass
    except _PARSE_ERRORS as error:
        failure = error
    if isinstance(failure, ValueError | SystemError) or _LONG_NUMBER.search(str(failure)):
        raise ImportRowError(where[0], "a number too long to read")
    reason = str(failure).splitlines()[0][:200]  # yajl adds a snippet of the text
    raise ImportRowError(where[0], f"not valid JSON here: {reason}")


def _json_sections(stream, backend, where: list[str]) -> Iterator[Record]:
    """The records of the sections; `where[0]` follows the position for the caller's errors."""
    events = backend.basic_parse(stream)
    event, _value = next(events, ("end", None))
    if event != "start_map":
        raise ImportRowError("(file)", "expected a JSON object at the top level")
    seen = set()
    for event, section in events:
        if event == "end_map":
            break
        if section not in SECTIONS:
            raise ImportRowError("(file)", f"unknown section(s): {section}")
        if section in seen:
            raise ImportRowError("(file)", f"duplicate key {section!r}")
        seen.add(section)
        where[0] = section
        event, value = next(events)
        if event != "start_array":
            _build(events, event, value, section, 2)  # read past it, then refuse it
            raise ImportRowError(section, "expected a JSON list")
        for index, (event, value) in enumerate(events):
            if event == "end_array":
                break
            position = where[0] = f"{section}[{index}]"
            yield Record(SECTIONS[section], position, _build(events, event, value, position, 2))
        where[0] = "(file)"
    for _event in events:  # the parser refuses trailing data while this drains it
        pass


def _build(events, event: str, value, position: str, depth: int):
    """One JSON value from the parser's events: objects refuse a duplicate key."""
    if event == "start_map":
        if depth > MAX_DEPTH:
            raise ImportRowError(position, "nested too deeply")
        obj = {}
        for event, key in events:
            if event == "end_map":
                return obj
            if key in obj:
                raise ImportRowError(position, f"duplicate key {key!r}")
            event, value = next(events)
            if event in _CONTAINERS:
                value = _build(events, event, value, f"{position}.{key}", depth + 1)
            obj[key] = NUMBER if event == "number" else value
    if event == "start_array":
        if depth > MAX_DEPTH:
            raise ImportRowError(position, "nested too deeply")
        items = []
        for event, value in events:
            if event == "end_array":
                return items
            items.append(_build(events, event, value, f"{position}[{len(items)}]", depth + 1))
    if event == "number":
        return NUMBER
    return value
