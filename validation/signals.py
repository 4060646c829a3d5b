from django.dispatch import Signal

# Sent after an import of the customer directory has committed, so that apps above this one
# (which this app never imports) can re-check what depends on the directory. `subscriptions`
# lists the changed or removed ones as (subscription ID, tenant ID, product ID) as they were
# before the import, or is None when there were too many to list (re-check everything).
directory_imported = Signal()

# Sent with the `names` of domains an import would move to another tenant; each receiver
# returns the names that something above this app still uses (a live claim's request).
directory_domains_in_use = Signal()
