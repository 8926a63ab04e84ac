"""One root error type; the CLI maps `UserError` to a one-line message and its exit code (2, 3 or 4)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


class AmtHydraError(Exception):
    """Root of every error amt-hydra raises on purpose."""


class UserError(AmtHydraError):
    """Bad config or bad input: shown as one line, never as a traceback."""

    exit_code = 2


class ConfigError(UserError):
    """A config value breaks a rule; the message names the key, the value and the rule."""

    def __init__(self, key: str, rule: str) -> None:
        super().__init__(f"{key}: {rule}")
        self.key = key
        self.rule = rule


class LaunchError(UserError):
    """The launcher could not submit or run the job (credentials, region, role, capacity...)."""

    exit_code = 3


class JobNotCompleted(UserError):
    """The tuning job ran but ended Failed or Stopped: exit code 4, so scripts can tell it from a bad config."""

    exit_code = 4


@contextmanager
def user_errors_exit() -> Iterator[None]:
    """The CLI boundary: a `UserError` is one line on stderr and its exit code; Ctrl-C is exit 130."""
    try:
        yield
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
