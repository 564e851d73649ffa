"""The off-topic set is data: its source files rebuild the shipped CSV exactly."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "hcmqa" / "resources" / "offtopic"
SCRIPT = ROOT / "scripts" / "build_offtopic.py"
LISTS = sorted((SOURCE / "categories").glob("*.txt")) + sorted((SOURCE / "frames").glob("*.txt")) + sorted((SOURCE / "slots").glob("*.txt"))


def build(tmp_path, source=SOURCE):
    out = tmp_path / "offtopic.csv"
    done = subprocess.run([sys.executable, str(SCRIPT), "--source", str(source), "--out", str(out)], capture_output=True, text=True)
    return done, out


def test_generator_reproduces_the_shipped_csv(tmp_path):
    done, out = build(tmp_path)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == (SOURCE / "offtopic.csv").read_bytes()


@pytest.mark.parametrize("path", LISTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_list_files_are_non_empty_without_duplicates(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines and all(line.strip() == line and line for line in lines)
    assert len(set(lines)) == len(lines)


def test_every_row_category_has_a_file_and_every_hand_written_question_ships():
    with (SOURCE / "offtopic.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    categories = {p.stem for p in (SOURCE / "categories").glob("*.txt")}
    assert {row["category"] for row in rows} == categories
    assert {p.stem for p in (SOURCE / "frames").glob("*.txt")} <= categories
    shipped = {(row["question"], row["category"]) for row in rows}
    for category in categories:
        for question in (SOURCE / "categories" / f"{category}.txt").read_text(encoding="utf-8").splitlines():
            assert (question, category) in shipped


def test_a_hand_written_line_that_would_be_dropped_is_an_error(tmp_path):
    source = tmp_path / "source"
    for sub in ("categories", "frames", "slots"):
        (source / sub).mkdir(parents=True)
    settings = json.loads((SOURCE / "build.json").read_text(encoding="utf-8"))
    settings["order"] = ["a", "b"]
    (source / "build.json").write_text(json.dumps(settings), encoding="utf-8")
    (source / "categories" / "a.txt").write_text("Why is the sky blue?\n", encoding="utf-8")
    (source / "categories" / "b.txt").write_text("why is the sky blue\n", encoding="utf-8")
    done, out = build(tmp_path, source)
    assert done.returncode == 1
    assert "b.txt:1: duplicate" in done.stderr
    assert not out.exists()
