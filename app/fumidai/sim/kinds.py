"""The names of the simulator's kinds of account (``population.py`` says what each one does).

Here alone so that `fumidai --help` needs nothing heavier to list them.
"""

HONEST_KINDS = ("honest", "heavy", "relay", "traveller", "newsletter", "new", "vpn")
HIJACK_KINDS = ("burst", "slow", "multi", "proxy", "mimic", "cohort")
