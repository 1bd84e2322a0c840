"""Errors that reach a person: one clear line, never a traceback."""


class FumidaiError(Exception):
    """A problem the user can fix (bad config, missing file, unknown account).

    The command line prints it as one line and exits non-zero.
    """


class ConfigError(FumidaiError):
    """The configuration names an unknown key or holds a bad value."""


class NotFound(FumidaiError):
    """The thing acted on does not exist (the API answers 404)."""


class Conflict(FumidaiError):
    """The action does not fit the current state (the API answers 409)."""
