"""Atomic writes: the target holds the old content or the new, never a part, and no temporary stays."""

import json
import stat
import subprocess
import sys

import pytest

from hcmqa.fileio import atomic_directory, atomic_open, atomic_path, atomic_write_bytes, atomic_write_json, atomic_write_text


class Boom(Exception):
    pass


def names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_text_bytes_and_json_land_with_nothing_else_left(tmp_path):
    atomic_write_text(tmp_path / "a.txt", "Hồ Chí Minh City\n")
    atomic_write_bytes(tmp_path / "b.bin", b"\x00\x01")
    atomic_write_json(tmp_path / "c.json", {"when": object()}, default=lambda _o: "later")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "Hồ Chí Minh City\n"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "c.json").read_text(encoding="utf-8") == '{\n  "when": "later"\n}\n'
    assert names(tmp_path) == ["a.txt", "b.bin", "c.json"]


def test_an_existing_file_is_replaced(tmp_path):
    target = tmp_path / "m.json"
    target.write_text("old", encoding="utf-8")
    atomic_write_json(target, [1, 2], indent=None)
    assert json.loads(target.read_text(encoding="utf-8")) == [1, 2]
    assert names(tmp_path) == ["m.json"]


def test_failure_mid_write_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    target = tmp_path / "answers.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(Boom):
        with atomic_open(target, newline="") as fh:
            fh.write("half a new file")
            raise Boom
    assert target.read_text(encoding="utf-8") == "old\n"
    assert names(tmp_path) == ["answers.csv"]


def test_unserialisable_json_creates_nothing(tmp_path):
    with pytest.raises(TypeError):
        atomic_write_json(tmp_path / "x.json", {"x": object()})
    assert names(tmp_path) == []


def test_atomic_path_serves_writers_that_take_a_file_name(tmp_path):
    target = tmp_path / "gate.joblib"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".gate.joblib.") and tmp.exists()
        tmp.write_bytes(b"model")
        assert not target.exists()
    assert target.read_bytes() == b"model"
    with pytest.raises(Boom):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"broken")
            raise Boom
    assert target.read_bytes() == b"model"
    assert names(tmp_path) == ["gate.joblib"]


def test_mode_follows_the_umask_like_open_unless_made_private(tmp_path):
    # A child process, so the umask of this test process is not changed.
    code = (
        "import os, stat, sys; from pathlib import Path; from hcmqa.fileio import atomic_write_text\n"
        "os.umask(0o022); d = Path(sys.argv[1])\n"
        "atomic_write_text(d / 'plain', 'x'); atomic_write_text(d / 'private', 'x', mode=0o600)\n"
        "print(oct(stat.S_IMODE((d / 'plain').stat().st_mode)), oct(stat.S_IMODE((d / 'private').stat().st_mode)))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0o644", "0o600"]


def test_atomic_open_refuses_modes_that_would_not_replace_the_whole_file(tmp_path):
    with pytest.raises(ValueError):
        with atomic_open(tmp_path / "log", "a"):
            pass


def test_directory_appears_whole_with_its_mode(tmp_path):
    target = tmp_path / "dataset-1"
    with atomic_directory(target) as tmp:
        (tmp / "manifest.json").write_text("{}", encoding="utf-8")
        assert not target.exists()
    assert names(target) == ["manifest.json"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    assert names(tmp_path) == ["dataset-1"]


def test_directory_failure_leaves_the_old_one_and_no_temporary(tmp_path):
    target = tmp_path / "retriever"
    target.mkdir()
    (target / "old").write_text("kept", encoding="utf-8")
    with pytest.raises(Boom):
        with atomic_directory(target, replace=True) as tmp:
            (tmp / "new").write_text("half", encoding="utf-8")
            raise Boom
    assert names(target) == ["old"]
    assert names(tmp_path) == ["retriever"]


def test_directory_replaces_an_existing_one_only_when_asked(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    (target / "old").write_text("x", encoding="utf-8")
    with pytest.raises(OSError):
        with atomic_directory(target) as tmp:
            (tmp / "new").write_text("y", encoding="utf-8")
    assert names(target) == ["old"]
    with atomic_directory(target, replace=True) as tmp:
        (tmp / "new").write_text("y", encoding="utf-8")
    assert names(target) == ["new"]
    assert names(tmp_path) == ["model"]


def test_fileio_needs_only_the_standard_library():
    code = "import sys, hcmqa.fileio; print(sorted(m for m in sys.modules if m.split('.')[0] in {'torch', 'numpy', 'transformers', 'sklearn'}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
