"""What typed text may carry: control characters never, hidden format characters not in names.

A line break in a name breaks every e-mail header built from it; a bidirectional override or a
zero-width character makes a name read as something else (`Invoice\u202efdp.exe` shows as
`Invoiceexe.pdf`). Names refuse the hidden ones; free text keeps them (a Czech or Arabic
sentence may need a direction mark) and reviewers see where they are.
"""

import re
import unicodedata
from collections.abc import Iterator

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n?|[\n\u2028\u2029\x85]")
# Direction marks, embeddings, overrides and isolates; zero-width spaces and joiners; invisible
# operators; the byte order mark; the Mongolian vowel separator; and the tag characters, which
# carry hidden ASCII ("ASCII smuggling").
_HIDDEN = re.compile(
    "[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\U000e0000-\U000e007f]"
)
_SPLIT_AT_HIDDEN = re.compile(f"({_HIDDEN.pattern})")


def clean_text(text: str) -> str:
    """Free text: line breaks normalised to `\\n`, tabs kept, every other control removed."""
    return _CONTROL.sub("", _LINE_BREAKS.sub("\n", text))


def clean_line(text: str, *, limit: int | None = None, keep_hidden: bool = False) -> str:
    """One line (a name, an e-mail subject): line breaks and tabs become spaces, controls and
    hidden characters go, runs of spaces shrink to one; cut to `limit` characters. A form keeps
    the hidden ones (`keep_hidden`) to refuse them by name rather than change a name unseen."""
    text = clean_text(text)
    if not keep_hidden:
        text = _HIDDEN.sub("", text)
    line = " ".join(text.split())
    return line[:limit] if limit else line


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def describe(char: str) -> str:
    """How a person is told of a character they cannot see: "U+202E RIGHT-TO-LEFT OVERRIDE"."""
    return f"{code_point(char)} {unicodedata.name(char, '')}".strip()


def hidden_characters(text: str) -> list[str]:
    """The hidden format characters in `text` ("U+202E RIGHT-TO-LEFT OVERRIDE"), once each."""
    return [describe(char) for char in dict.fromkeys(_HIDDEN.findall(text))]


def hidden_parts(text: str) -> Iterator[tuple[str, bool]]:
    """`text` in runs of visible text and single hidden characters, flagged, for a page to
    show each hidden one as a mark in its place."""
    for index, part in enumerate(_SPLIT_AT_HIDDEN.split(text)):
        if part:
            yield part, index % 2 == 1
