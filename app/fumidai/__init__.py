"""Fumidai: stop hijacked mail accounts from being used as a springboard (踏み台) for spam."""

__version__ = "0.1.0"
