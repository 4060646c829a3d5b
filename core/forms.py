"""Form fields for typed text, so every form cleans it the same way (core/text.py says how).

A NUL byte is left in place for Django's own validator, which refuses it in its own words.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from core.text import clean_line, clean_text, hidden_characters

TEXT_LIMIT = 5000


def refuse_hidden_characters(value: str) -> None:
    """A name is read by a reviewer and a customer: one that reads differently from what it
    holds (`Invoice\u202efdp.exe`) is refused, naming the character, not changed unseen."""
    found = hidden_characters(value)
    if found:
        raise ValidationError(
            ngettext(
                "%(characters)s is a hidden character that changes how the text reads. "
                "Type the text again without it.",
                "%(characters)s are hidden characters that change how the text reads. "
                "Type the text again without them.",
                len(found),
            ),
            code="hidden_characters",
            params={"characters": ", ".join(found)},
        )


class OneLineField(forms.CharField):
    """A name or a title: one line without control characters (a line break in a name breaks
    the e-mail headers built from it), and no hidden format characters."""

    default_validators = [refuse_hidden_characters]

    def to_python(self, value):
        value = super().to_python(value)
        return value if not value or "\x00" in value else clean_line(value, keep_hidden=True)


class EmailAddressField(forms.EmailField):
    """Django's e-mail field lets a zero-width or direction character through in the domain
    (the IDNA codec drops or accepts it), so an address could read as another."""

    default_validators = [*forms.EmailField.default_validators, refuse_hidden_characters]


class FreeTextField(forms.CharField):
    """A comment, a description, an answer: control characters go, line breaks stay, and
    hidden format characters stay too (a sentence may need a direction mark); reviewers see
    them marked. Always limited: a model's TextField gives no length."""

    widget = forms.Textarea

    def __init__(self, *, max_length: int | None = None, **kwargs):
        super().__init__(max_length=max_length or TEXT_LIMIT, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value or "\x00" in value:
            return value
        value = clean_text(value)
        return value.strip() if self.strip else value
