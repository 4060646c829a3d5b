from django.dispatch import Signal

# Sent after an import of the customer directory has committed, so that apps above this one
# (which this app never imports) can re-check what depends on the directory.
directory_imported = Signal()
