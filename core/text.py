"""What typed text may carry: control characters never, hidden format characters not in names.

A line break in a name breaks every e-mail header built from it; a bidirectional override or a
zero-width character makes a name read as something else (`Invoice\u202efdp.exe` shows as
`Invoiceexe.pdf`). Names refuse the hidden ones; free text keeps them (a Czech or Arabic
sentence may need a direction mark) and reviewers see where they are.
"""

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n?|[\n\u2028\u2029\x85]")
_HIDDEN = re.compile(r"[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def clean_text(text: str) -> str:
    """Free text: line breaks normalised to `\\n`, tabs kept, every other control removed."""
    return _CONTROL.sub("", _LINE_BREAKS.sub("\n", text))


def clean_line(text: str, *, limit: int | None = None) -> str:
    """One line (a name, an e-mail subject): line breaks and tabs become spaces, controls and
    hidden characters go, runs of spaces shrink to one; cut to `limit` characters."""
    line = " ".join(_HIDDEN.sub("", clean_text(text)).split())
    return line[:limit] if limit else line


def hidden_characters(text: str) -> list[str]:
    """The hidden format characters in `text` ("U+202E RIGHT-TO-LEFT OVERRIDE"), once each."""
    return [
        f"U+{ord(char):04X} {unicodedata.name(char, '')}".strip()
        for char in dict.fromkeys(_HIDDEN.findall(text))
    ]
