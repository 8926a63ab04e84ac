"""Input fingerprints: equal data gives an equal print; changed data a new one; unchanged data is not re-read."""

from __future__ import annotations

import os
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import pytest

from amt_hydra.provenance import SourceStatus, fingerprint, versions


def _tree(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "a.bin").write_bytes(b"\x00\x01" * 1000)
    (root / "sub" / "b.txt").write_text("hello")
    return root


def test_equal_data_equal_print(tmp_path: Path) -> None:
    one, two = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    p1, p2 = fingerprint(one, tmp_path / "c1.json"), fingerprint(two, tmp_path / "c2.json")
    assert p1["sha256"] == p2["sha256"] and p1["files"] == 2 and p1["bytes"] == 2005


def test_changed_data_new_print(tmp_path: Path) -> None:
    data, cache = _tree(tmp_path / "d"), tmp_path / "cache.json"
    before = fingerprint(data, cache)
    (data / "sub" / "b.txt").write_text("HELLO")
    os.utime(data / "sub" / "b.txt", ns=(1, 1))
    assert fingerprint(data, cache)["sha256"] != before["sha256"]


def test_unchanged_listing_is_not_read_again(tmp_path: Path) -> None:
    data, cache = _tree(tmp_path / "d"), tmp_path / "cache.json"
    before = fingerprint(data, cache)
    stat = (data / "a.bin").stat()
    (data / "a.bin").write_bytes(b"\x07\x07" * 1000)  # same size and mtime: the cached print is reused
    os.utime(data / "a.bin", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert fingerprint(data, cache) == before
    assert fingerprint(data, tmp_path / "fresh.json")["sha256"] != before["sha256"]


def test_versions_are_importlib_metadatas(tmp_path: Path) -> None:
    names = ("hydra-core", "omegaconf", "no-such-distribution-xyz")
    expected = {"hydra-core": metadata.version("hydra-core"), "omegaconf": metadata.version("omegaconf"),
                "no-such-distribution-xyz": None}
    cache = tmp_path / "versions.json"
    assert versions(names, cache) == expected  # asks importlib.metadata, then remembers
    assert cache.exists() and versions(names, cache) == expected


def test_an_installed_or_upgraded_distribution_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site, cache = tmp_path / "site", tmp_path / "versions.json"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    assert versions(("toy-dist",), cache) == {"toy-dist": None}
    _install(site, "1.0")
    assert versions(("toy-dist",), cache) == {"toy-dist": "1.0"}
    shutil.rmtree(site / "toy_dist-1.0.dist-info")
    _install(site, "2.0")
    assert versions(("toy-dist",), cache) == {"toy-dist": "2.0"}


def _install(site: Path, version: str) -> None:
    info = site / f"toy_dist-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: toy-dist\nVersion: {version}\n")
    # a folder's mtime ticks with the kernel's clock (milliseconds): step it as an install a moment later would
    stamp = site.stat().st_mtime_ns + 10_000_000 * (1 + len(list(site.iterdir())))
    os.utime(site, ns=(stamp, stamp))


def _commit(repo: Path) -> None:
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm",
                    "c"], check=True)


def _git(path: str) -> dict[str, object] | None:
    with SourceStatus(path) as status:
        return status.result()


def test_source_revision_and_dirty_flag(tmp_path: Path) -> None:
    repo, src = tmp_path / "repo", tmp_path / "repo" / "src"
    src.mkdir(parents=True)
    assert _git(str(src)) == {"path": str(src), "commit": None, "dirty": None}  # not a repository
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (src / "train.py").write_text("print(1)\n")
    assert _git(str(src))["commit"] is None  # no commit yet
    _commit(repo)
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert _git(str(src)) == {"path": str(src), "commit": head, "dirty": False}
    (repo / "notes.txt").write_text("outside the source dir\n")
    assert _git(str(src))["dirty"] is False
    (src / "new.py").write_text("")  # untracked inside it
    assert _git(str(src)) == {"path": str(src), "commit": head, "dirty": True}
    _commit(repo)
    (src / "train.py").write_text("print(2)\n")
    assert _git(str(src))["dirty"] is True
    assert SourceStatus(None).result() is None


def test_leaving_early_reaps_git(tmp_path: Path) -> None:
    with SourceStatus(str(tmp_path)) as status:
        pass  # e.g. the packing walk refused the tree
    assert status._git is not None and status._git.returncode is not None
