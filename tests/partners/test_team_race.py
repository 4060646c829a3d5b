"""Two Global admins acting at the same moment, in real threads with their own connections:
the organisation's row lock keeps at least one active Global admin."""

import pytest

from partners.errors import TeamError
from partners.members import member_change_role, member_deactivate
from partners.models import Membership, Role
from tests.builders import make_organisation, make_user
from tests.threads import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("change", ["demote", "deactivate"])
def test_two_global_admins_removing_each_other_leave_one(change):
    organisation = make_organisation("Northwind Traders")
    first, second = (make_user(organisation, Role.GLOBAL_ADMIN) for _ in range(2))

    def remove(actor, target):
        membership = Membership.objects.select_related("organisation", "user").get(user=target)
        if change == "demote":
            return member_change_role(actor=actor, member=membership, role=Role.BILLING_ADMIN)
        return member_deactivate(actor=actor, member=membership)

    results = race([lambda: remove(first, second), lambda: remove(second, first)])

    refused = [result for result in results if isinstance(result, TeamError)]
    assert len(refused) == 1, results
    assert refused[0].code in ("not_global_admin", "last_global_admin")
    assert (
        Membership.objects.filter(
            organisation=organisation, role=Role.GLOBAL_ADMIN, user__is_active=True
        ).count()
        == 1
    )
