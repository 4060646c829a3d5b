"""One spelling for domain names, shared by the importer and the request form."""

from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator
from django.utils.translation import gettext_lazy as _

_validate = DomainNameValidator(
    accept_idna=True, message=_("Enter a domain name such as contoso.com.")
)


def normalise_domain(value: str) -> str:
    """Lower-case IDNA (punycode) form of a domain name; raises ValidationError if it is none."""
    cleaned = value.strip().rstrip(".").lower()
    _validate(cleaned)
    try:
        return cleaned.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError(
            _("Enter a domain name such as contoso.com."), code="invalid_domain"
        ) from None


def display_domain(name: str) -> str:
    """The Unicode form people read (`münchen-bau.example`) of a stored IDNA name
    (`xn--mnchen-bau-9db.example`); a name that does not decode is shown as stored."""
    try:
        return name.encode("ascii").decode("idna")
    except UnicodeError:
        return name
