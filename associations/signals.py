from django.dispatch import Signal

# Sent inside the verdict's transaction when a claim that passed its checks meets claims of
# other organisations for the same key. Arguments: claim, competitors (list of Claim).
# The arbitration app receives it; this app never imports that one.
claim_contested = Signal()
