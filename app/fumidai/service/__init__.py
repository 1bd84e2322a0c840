"""The running enforcement state that the policy server and the HTTP API share."""

from .core import Service

__all__ = ["Service"]
