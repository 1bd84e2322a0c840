"""Errors that reach a person: one clear line, never a traceback."""


class FumidaiError(Exception):
    """A problem the user can fix (bad config, missing file, unknown account).

    The command line prints it as one line and exits non-zero.
    """


class ConfigError(FumidaiError):
    """The configuration names an unknown key or holds a bad value."""
