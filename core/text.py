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
# Hidden: every format character (Unicode category Cf: direction marks, embeddings, overrides
# and isolates, zero-width spaces and joiners, the soft hyphen, the byte order mark, the tag
# characters that carry hidden ASCII), and these invisible ones of other categories: the
# combining grapheme joiner, the Hangul and Khmer fillers, the Mongolian variation selectors
# and the variation selectors, which can smuggle hidden text as the tag characters do.
_INVISIBLE = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180D),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0100, 0xE01EF),
)
# A zero-width joiner or non-joiner between two letters is part of the writing (Persian,
# the Indic scripts), not a hidden character.
_JOINERS = frozenset("\u200c\u200d")


def _is_invisible(char: str) -> bool:
    code = ord(char)
    return unicodedata.category(char) == "Cf" or any(
        low <= code <= high for low, high in _INVISIBLE
    )


def _is_letter(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"


def _characters(text: str) -> list[tuple[str, bool]]:
    """Each character of `text` with whether it is hidden (never in ASCII: a directory import
    reads a million names, and most are ASCII)."""
    if text.isascii():
        return [(char, False) for char in text]
    last = len(text) - 1
    return [
        (
            char,
            _is_invisible(char)
            and not (
                char in _JOINERS
                and 0 < index < last
                and _is_letter(text[index - 1])
                and _is_letter(text[index + 1])
            ),
        )
        for index, char in enumerate(text)
    ]


def clean_text(text: str) -> str:
    """Free text: line breaks normalised to `\\n`, tabs kept, every other control removed."""
    return _CONTROL.sub("", _LINE_BREAKS.sub("\n", text))


def clean_line(text: str, *, limit: int | None = None, keep_hidden: bool = False) -> str:
    """One line (a name, an e-mail subject): line breaks and tabs become spaces, controls and
    hidden characters go, runs of spaces shrink to one; cut to `limit` characters. A form keeps
    the hidden ones (`keep_hidden`) to refuse them by name rather than change a name unseen."""
    text = clean_text(text)
    if not keep_hidden:
        text = "".join(char for char, hidden in _characters(text) if not hidden)
    line = " ".join(text.split())
    return line[:limit] if limit else line


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def describe(char: str) -> str:
    """How a person is told of a character they cannot see: "U+202E RIGHT-TO-LEFT OVERRIDE"."""
    return f"{code_point(char)} {unicodedata.name(char, '')}".strip()


def hidden_characters(text: str) -> list[str]:
    """The hidden format characters in `text` ("U+202E RIGHT-TO-LEFT OVERRIDE"), once each."""
    found = (char for char, hidden in _characters(text) if hidden)
    return [describe(char) for char in dict.fromkeys(found)]


def hidden_parts(text: str) -> Iterator[tuple[str, bool]]:
    """`text` in runs of visible text and single hidden characters, flagged, for a page to
    show each hidden one as a mark in its place."""
    visible = []
    for char, hidden in _characters(text):
        if not hidden:
            visible.append(char)
            continue
        if visible:
            yield "".join(visible), False
            visible = []
        yield char, True
    if visible:
        yield "".join(visible), False
