"""The sweeper's copy of the app folder follows the packing rule: no secret, no venv, not itself."""

from __future__ import annotations

import os
from pathlib import Path

from amt_hydra.sweeper import entry
from amt_hydra.sweeper.source import stage_source
from tests.packing.project import CODE, write_project


def test_staged_copy_holds_the_selection_plus_the_shim(tmp_path: Path, capsys) -> None:
    app = write_project(tmp_path / "app")
    target = app / "multirun-custom" / "sweep" / "source"  # the sweep dir inside the app's folder
    target.parent.mkdir(parents=True)
    staged = stage_source(app, {"app": "train.py"}, target)
    files = {os.path.relpath(os.path.join(d, f), staged) for d, _, fs in os.walk(staged) for f in fs}
    assert files == set(CODE) | {entry.SCRIPT, entry.SIDECAR}
    assert "left out (never packed)" in capsys.readouterr().err
