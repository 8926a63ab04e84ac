"""Input fingerprints: equal data gives an equal print; changed data a new one; unchanged data is not re-read."""

from __future__ import annotations

import os
from pathlib import Path

from amt_hydra.provenance import fingerprint


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
