from disputes.services import case_open_or_join


def open_case_for_contested_claim(sender, *, claim, competitors, now, **kwargs):
    """The request flow found competitors for a claim: arbitration takes it from here."""
    case_open_or_join(claim=claim, competitors=competitors, now=now)
