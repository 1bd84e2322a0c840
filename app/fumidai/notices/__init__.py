"""Notices to account owners: Jinja2 templates (ja, en), MIME, SMTP delivery with retry."""

from ..errors import FumidaiError


class NoticeError(FumidaiError):
    """A notice cannot be rendered, addressed or sent as asked (one line, names what is wrong)."""
