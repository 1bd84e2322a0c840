"""Dialogs for staff actions; each has a classmethod ``ask(...)`` that returns the answer (tests patch it)."""

from .notice import NoticeDialog
from .quota import QuotaChange, QuotaDialog
from .release import ReleaseDialog, ReleaseRequest
from .suspend import SuspendDialog, SuspendRequest
from .travel import TravelChange, TravelDialog

__all__ = ["NoticeDialog", "QuotaChange", "QuotaDialog", "ReleaseDialog", "ReleaseRequest", "SuspendDialog", "SuspendRequest",
           "TravelChange", "TravelDialog"]
