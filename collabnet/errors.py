"""Exceptions raised by collabnet.

Every error a user can cause or fix (bad input, unreadable file, a refused request) is a
``CollabnetError`` with a one-line message that says what is wrong and where. The command
line prints that line and exits with status 2; library users catch the class they care about.
"""

from __future__ import annotations


class CollabnetError(Exception):
    """Base class of collabnet's own errors; ``str(err)`` is one line a user can act on."""

    exit_code = 2


class InputError(CollabnetError):
    """Bad input: an unreadable file, a malformed record, an invalid option value."""


class MalformedRecordError(InputError):
    """A record that cannot be read; the message names the file and line."""

    def __init__(self, source: str, line: int | None, reason: str):
        self.source = source
        self.line = line
        self.reason = reason
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: malformed record: {reason}")

    def __reduce__(self):
        # Rebuilt from its own arguments: the error of a record read in a Dask task reaches
        # the client as this same one-line error.
        return type(self), (self.source, self.line, self.reason)


class FetchError(CollabnetError):
    """A request to the OpenAlex API that failed for good (after the retries allowed)."""
