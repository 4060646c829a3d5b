from django.dispatch import Signal

# Sent inside the verdict's transaction when a claim that passed its checks meets claims of
# other organisations for the same key. Arguments: claim, competitors (list of Claim).
# The arbitration app receives it; this app never imports that one.
claim_contested = Signal()

# Sent inside the transaction that writes timeline events, once per write, with events (the
# saved StatusEvent rows, oldest first, each with its request and claim): the webhooks app
# writes its outbox in the same transaction. This app never imports that one.
timeline_written = Signal()

# Sent inside the transaction that writes a reviewer's comment to the partner. Arguments:
# comment (Comment), claim (Claim).
reviewer_commented = Signal()
