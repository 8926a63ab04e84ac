"""Errors of the data commands: all are user errors, shown as one line by the CLI."""

from __future__ import annotations

from amt_hydra.errors import UserError


class DataError(UserError):
    """A dataset could not be found, read or fetched."""


class DataMissingError(DataError):
    """Files of a dataset are absent; the message names the command that prepares them."""


class DataCorruptError(DataError):
    """A file exists but is not a valid IDX file, or its checksum does not match."""


class OfflineError(DataError):
    """No mirror could be reached at all (no network, or every host refused the connection)."""
