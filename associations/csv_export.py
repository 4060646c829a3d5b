"""Streaming CSV: rows are written as they are read, so an export of any size runs in flat
memory, and cells that a spreadsheet would run as formulas are neutralised."""

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value):
        return value


def cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text
