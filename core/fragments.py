"""The keys of the cached rendered fragments (CONVENTIONS.md rule 17), in one place.

A fragment is cached per process under everything it shows, so it is never stale. Every key
starts with the `Viewer`: who it is rendered for (user, organisation, role), what of them it
shows (names), and in which language and time zone. So two users, two organisations, two roles
and two languages never share an entry, whatever a template shows; the page's own data (the
list's rows and query) follow.
"""

from dataclasses import dataclass

from django.utils import timezone, translation


@dataclass(frozen=True)
class Viewer:
    user_id: int | None
    username: str
    full_name: str
    is_staff: bool
    membership_id: int | None
    organisation_id: int | None
    organisation_name: str
    role: str
    language: str
    time_zone: str

    @classmethod
    def of(cls, user, membership) -> "Viewer":
        """Of the request's user and partner membership (None for staff and visitors)."""
        signed_in = user.is_authenticated
        return cls(
            user_id=user.pk if signed_in else None,
            username=user.get_username() if signed_in else "",
            full_name=user.get_full_name() if signed_in else "",
            is_staff=signed_in and user.is_staff,
            membership_id=membership.pk if membership else None,
            organisation_id=membership.organisation_id if membership else None,
            organisation_name=membership.organisation.name if membership else "",
            role=membership.role if membership else "",
            language=translation.get_language(),
            time_zone=timezone.get_current_timezone_name(),
        )

    def navigation(self) -> tuple:
        return ("navigation", self)

    def request_filters(self, query: str) -> tuple:
        return ("request_filters", self, query)

    def request_rows(self, page, query: str) -> tuple:
        return ("request_rows", self, tuple(page.rows), page.newer, page.older, query)
