"""Behaviour analysis: per-account baselines, signals and the maillog reader that seeds them."""
