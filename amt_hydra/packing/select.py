"""The one packing rule: which files of a source dir training jobs get, for every launcher alike.

`select(source_dir)` walks the tree once, in name order, applying `amt_hydra.packing.rules`. Symlinks are
followed when they point inside the source dir (a file link packs its content under the link's name, a folder
link is walked like a folder); one that points outside it, or nowhere, is refused with a one-line error naming
it, unless a rule leaves it out anyway (a `.venv` linked from elsewhere, a name in `.amtignore`). Nothing is
silently dropped: what the deny-list keeps home is listed in `Selection.secrets`, machine state in
`Selection.state`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amt_hydra.errors import ConfigError
from amt_hydra.packing import rules

KEY = "estimator.source_dir"


@dataclass(frozen=True)
class Selection:
    """The files to pack (`files`: name in the tarball -> the file read) and what was kept home, and why."""

    source_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    state: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return sorted(self.files)

    def note(self) -> str | None:
        """One line for the user when secrets were left out (never silently)."""
        if not self.secrets:
            return None
        shown = ", ".join(self.secrets[:8]) + (f" and {len(self.secrets) - 8} more" if len(self.secrets) > 8 else "")
        return f"source: {len(self.secrets)} secret(s) of {self.source_dir} left out (never packed): {shown}"


def select(source_dir: str | Path, skip: Iterable[Path] = ()) -> Selection:
    """The selection for `source_dir`; folders in `skip` (e.g. a staging target inside it) are never entered."""
    root = Path(source_dir).resolve()
    if not root.is_dir():
        raise ConfigError(KEY, f"{source_dir} is not a directory")
    walk = _Walk(root, rules.ignore_spec(root), {Path(p).resolve() for p in skip})
    walk.folder(root, "", (root,))
    return walk.selection


class _Walk:
    def __init__(self, root: Path, ignore: Any, skip: set[Path]) -> None:
        self.root, self.ignore, self.skip = root, ignore, skip
        self.selection = Selection(root)

    def folder(self, real: Path, prefix: str, ancestors: tuple[Path, ...]) -> None:
        try:
            entries = sorted(os.scandir(real), key=lambda e: e.name)
        except OSError as exc:
            raise ConfigError(KEY, f"cannot read {real}: {exc.strerror}") from None
        for entry in entries:
            self.entry(Path(entry.path), prefix + entry.name, entry.is_symlink(), ancestors)

    def entry(self, path: Path, rel: str, link: bool, ancestors: tuple[Path, ...]) -> None:
        real = path.resolve() if link else path
        is_dir = real.is_dir()
        if rules.secret_name(rel, is_dir) or (link and self._secret_target(real, is_dir)):
            self.selection.secrets.append(rel + "/" if is_dir else rel)
            return
        if self.ignore.match_file(rel + "/" if is_dir else rel) or real in self.skip:
            return
        if is_dir:
            self.directory(real, rel, link, ancestors)
        elif real.is_file():
            if link:
                self._check_inside(rel, real)
            self.file(real, rel)
        elif link:
            raise ConfigError(KEY, f"{rel} in {self.root} is a broken symlink (to {os.readlink(path)}); remove it "
                              f"or list it in {rules.IGNORE_FILE}")

    def directory(self, real: Path, rel: str, link: bool, ancestors: tuple[Path, ...]) -> None:
        try:
            names = set(os.listdir(real))
        except OSError as exc:
            raise ConfigError(KEY, f"cannot read {real}: {exc.strerror}") from None
        why = rules.state_folder(real, names)
        if why:
            self.selection.state.append(f"{rel}/ ({why})")
            return
        if link:
            self._check_inside(rel, real)
        if real in ancestors:
            raise ConfigError(KEY, f"{rel} in {self.root} is a symlink to its own parent {real} (a loop); remove it "
                              f"or list it in {rules.IGNORE_FILE}")
        self.folder(real, rel + "/", (*ancestors, real))

    def file(self, real: Path, rel: str) -> None:
        if rules.is_secret_content(real, real.stat().st_size):
            self.selection.secrets.append(rel)
        else:
            self.selection.files[rel] = real

    def _secret_target(self, real: Path, is_dir: bool) -> bool:
        """A link inside the source dir to a secret (`key.txt -> id_rsa`) is that secret."""
        try:
            rel = real.relative_to(self.root).as_posix()
        except ValueError:
            return False
        return rules.secret_name(rel, is_dir)

    def _check_inside(self, rel: str, real: Path) -> None:
        if real != self.root and self.root not in real.parents:
            raise ConfigError(KEY, f"{rel} in {self.root} is a symlink to {real}, outside the source dir, and is "
                              f"not packed: copy what it points to into the source dir, or list {rel} in "
                              f"{rules.IGNORE_FILE}")
