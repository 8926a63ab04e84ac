"""One root error type; the CLI maps `UserError` to a one-line message and exit code 2."""

from __future__ import annotations


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
