"""The packing rule on real folders: secrets, machine state, `.amtignore`, symlinks; the tarball it writes."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest

from amt_hydra.errors import ConfigError
from amt_hydra.packing import select, write_tarball
from tests.packing.project import CODE, SECRET_ENTRIES, write_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project")


def test_only_code_is_selected_and_secrets_are_named(project: Path) -> None:
    selection = select(project)
    assert selection.names == sorted(CODE)
    assert set(selection.secrets) == SECRET_ENTRIES
    assert f"{len(SECRET_ENTRIES)} secret(s) of {project.resolve()} left out" in (selection.note() or "")
    assert sorted(selection.state) == ["jobs/.staged/ (cache)", "jobs/old-job/ (local job store)",
                                       "runs/first/ (run dir)", "tools-env/ (virtualenv)"]


def test_tarball_holds_exactly_the_selection(project: Path, tmp_path: Path) -> None:
    selection = select(project)
    target = write_tarball(selection, tmp_path / "out" / "sourcedir.tar.gz")
    with tarfile.open(target) as tar:
        assert sorted(tar.getnames()) == sorted(CODE)
        assert tar.extractfile("train.py").read().decode() == CODE["train.py"]  # type: ignore[union-attr]
    again = write_tarball(select(project), tmp_path / "again.tar.gz")
    assert again.read_bytes() == target.read_bytes()  # the same files give the same bytes
    assert [p.name for p in target.parent.iterdir()] == ["sourcedir.tar.gz"]  # no temporary file left


def test_amtignore_leaves_out_more_but_never_brings_a_secret_back(project: Path) -> None:
    (project / "data").mkdir()
    (project / "data" / "big.bin").write_bytes(b"0" * 10)
    (project / "outputs" / "keep_me.py").write_text("")
    (project / ".amtignore").write_text("# mine\ndata/\n*.md\n!outputs/\n!.env\n!id_rsa\n")
    names = select(project).names
    assert "data/big.bin" not in names and "docs/keys.md" not in names
    assert ".env" not in names and "id_rsa" not in names
    assert "outputs/keep_me.py" in names  # a default left out, brought back by the project
    assert ".amtignore" in names


def test_symlinks_inside_are_followed(project: Path) -> None:
    (project / "shared").mkdir()
    (project / "shared" / "util.py").write_text("X = 1\n")
    (project / "pkg" / "shared").symlink_to(project / "shared", target_is_directory=True)
    (project / "entry.py").symlink_to(project / "train.py")
    (project / "innocent.txt").symlink_to(project / "id_rsa")
    names = select(project).names
    assert {"pkg/shared/util.py", "shared/util.py", "entry.py"} <= set(names)
    assert "innocent.txt" not in names  # a link to a secret is that secret
    assert "innocent.txt" in select(project).secrets


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_symlink_outside_is_refused_naming_it(project: Path, tmp_path: Path, kind: str) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "big.bin").write_text("x")
    (project / "data").symlink_to(outside if kind == "folder" else outside / "big.bin")
    with pytest.raises(ConfigError) as info:
        select(project)
    message = str(info.value)
    assert "data in" in message and str(outside) in message and "outside the source dir" in message
    assert "\n" not in message
    (project / ".amtignore").write_text("data\n")  # listed: left out, no error
    assert "data" not in " ".join(select(project).names)


def test_broken_and_looping_symlinks_are_refused(project: Path) -> None:
    (project / "gone").symlink_to(project / "nothing-here")
    with pytest.raises(ConfigError, match="gone in .* is a broken symlink"):
        select(project)
    os.unlink(project / "gone")
    (project / "pkg" / "again").symlink_to(project, target_is_directory=True)
    with pytest.raises(ConfigError, match="a loop"):
        select(project)


def test_a_virtualenv_linked_from_elsewhere_is_state_not_an_error(project: Path, tmp_path: Path) -> None:
    (project / ".venv").symlink_to(project / "tools-env", target_is_directory=True)
    assert "tools-env/ (virtualenv)" in select(project).state
    assert ".venv/ (virtualenv)" in select(project).state


def test_skip_and_missing_source_dir(project: Path, tmp_path: Path) -> None:
    assert not [n for n in select(project, skip=[project / "pkg"]).names if n.startswith("pkg/")]
    with pytest.raises(ConfigError, match="is not a directory"):
        select(tmp_path / "missing")
