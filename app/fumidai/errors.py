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


class Invalid(FumidaiError):
    """A value given to an action is not acceptable (the API answers 422, the command line exits 2)."""
