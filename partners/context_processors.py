from partners.access import membership_of


def membership(request):
    """The signed-in partner's membership, so the navigation shows only what the role may use."""
    return {"membership": membership_of(request.user)}
