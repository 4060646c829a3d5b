"""Every write of review and arbitration: one function per transition, rows locked.

Reviewers act through the Django admin, partners through the portal, sweeps with actor=None;
all of them call these functions, each of which asks the claim policy (associations.policy)
whether the claim allows it. Partners learn that competing claims exist, never whose. One
module per process; this package names them all, so callers need not know which.
"""

from disputes.services.assignment import case_assign, claim_assign
from disputes.services.cases import (
    case_decide,
    case_mark_working_with_owner,
    case_open_or_join,
    case_propose,
)
from disputes.services.proposals import proposal_confirm, proposal_send_back
from disputes.services.questions import (
    claim_dispute,
    claim_request_information,
    dispute_answer,
    dispute_propose,
    information_answer,
)
from disputes.services.reminders import claim_remind_dispute, information_request_remind
from disputes.services.reviews import (
    claim_approve,
    claim_customer_decline,
    claim_reject,
    claims_approve_as_seen,
)
from disputes.services.sweeps import (
    case_flag_overdue,
    claim_flag_overdue,
    information_request_expire,
)

__all__ = [
    "case_assign",
    "case_decide",
    "case_flag_overdue",
    "case_mark_working_with_owner",
    "case_open_or_join",
    "case_propose",
    "claim_approve",
    "claim_assign",
    "claim_customer_decline",
    "claim_dispute",
    "claim_flag_overdue",
    "claim_reject",
    "claim_remind_dispute",
    "claim_request_information",
    "claims_approve_as_seen",
    "dispute_answer",
    "dispute_propose",
    "information_answer",
    "information_request_expire",
    "information_request_remind",
    "proposal_confirm",
    "proposal_send_back",
]
