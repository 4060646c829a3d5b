"""What every app shares and none owns: the base of their domain errors and the deadline policy.

It sits below partners and validation (it imports no app), so any app may use it.
"""
