#!/usr/bin/env python3
"""Build the topic gate's off-topic question set from its data files.

Standard library only, deterministic (seeded). Reads ``hcmqa/resources/offtopic/``:

- ``categories/<category>.txt``: hand-written questions, one a line;
- ``frames/<category>.txt``: question frames, one a line, with ``{slot}`` placeholders and
  ``{slot2}`` for a second, different value of the same slot;
- ``slots/<slot>.txt``: the values a slot takes, one a line; the math slots ``a b n d p sq``
  take random numbers instead;
- ``build.json``: the seed, the order the categories are read in (it decides which category
  keeps a duplicate and the order before the final shuffle), the word-count bounds, how many
  templated questions each category gets (the ``near-`` categories are filled up to a target)
  and the patterns no question may match;

and writes ``offtopic.csv`` (``question,category``). The shipped CSV is this script's output,
so nothing here is needed at run time. Every hand-written line must make it into the CSV:
one that is a duplicate, too short, too long or forbidden is an error, not silently dropped.

    .venv/bin/python scripts/build_offtopic.py [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "hcmqa" / "resources" / "offtopic"
SLOT_RE = re.compile(r"\{([a-z_]+?)(2?)\}")
NUMBER_SLOTS = ("a", "b", "n", "d", "p", "sq")


class BuildError(Exception):
    """The data files contradict the rules the set is built by."""


def read_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def normalise(question: str) -> str:
    question = re.sub(r"\s+", " ", question).strip()
    if question and question[-1] not in "?.!":
        question += "?"
    return question


def fill_numbers(frame: str, rng: random.Random) -> str:
    """Fill a math frame's numeric slots; a divisor's dividend is a multiple of it."""
    values = {
        "a": rng.randint(11, 99),
        "b": rng.randint(3, 49),
        "d": rng.choice([2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 25]),
        "p": rng.choice([5, 10, 12, 15, 20, 25, 30, 40, 75]),
        "sq": rng.randint(4, 40) ** 2,
    }
    values["n"] = values["d"] * rng.randint(3, 60) if "{d}" in frame else rng.randint(20, 999)
    return frame.format(**values)


def expand(frame: str, slots: dict[str, list[str]], samples: int, rng: random.Random) -> list[str]:
    """Every filling of a frame; a numeric frame gets ``samples`` random fillings instead."""
    found = SLOT_RE.findall(frame)
    if any(name in NUMBER_SLOTS for name, _ in found):
        return [fill_numbers(frame, rng) for _ in range(samples)]
    combos: list[dict[str, str]] = [{}]
    for name, second in found:
        if name not in slots:
            raise BuildError(f"frame {frame!r}: no slots/{name}.txt")
        grown = []
        for combo in combos:
            for value in slots[name]:
                if second and combo.get(name) == value:
                    continue
                grown.append({**combo, name + second: value})
        combos = grown
    return [frame.format(**combo) for combo in combos]


def build(source: Path = SOURCE) -> list[tuple[str, str]]:
    """The (question, category) rows, in their final shuffled order."""
    settings = json.loads((source / "build.json").read_text(encoding="utf-8"))
    forbidden = [re.compile(pattern, re.I) for pattern in settings["forbidden"]]
    low, high = settings["words"]
    rng = random.Random(settings["seed"])
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()

    def reason(question: str) -> str | None:
        if question.lower() in seen:
            return "duplicate"
        if any(p.search(question) for p in forbidden):
            return "forbidden"
        if not low <= len(question.split()) <= high:
            return f"not {low} to {high} words"
        return None

    order = settings["order"]
    on_disk = sorted(p.stem for p in (source / "categories").glob("*.txt"))
    if sorted(order) != on_disk:
        raise BuildError(f"build.json order {sorted(order)} does not list categories/ {on_disk}")
    counts: dict[str, int] = {}
    for category in order:
        path = source / "categories" / f"{category}.txt"
        lines = read_lines(path)
        for number, line in enumerate(lines, 1):
            question = normalise(line)
            why = reason(question)
            if why:
                raise BuildError(f"{path}:{number}: {why}: {question}")
            seen.add(question.lower())
            rows.append((question, category))
        counts[category] = len(lines)

    slots = {p.stem: read_lines(p) for p in sorted((source / "slots").glob("*.txt"))}
    # Templated questions, round-robin over a category's frames, shuffled per frame.
    for path in sorted((source / "frames").glob("*.txt"), key=lambda p: p.stem):
        category = path.stem
        pools = []
        for frame in read_lines(path):
            candidates = expand(frame, slots, settings["number_samples"], rng)
            rng.shuffle(candidates)
            pools.append(candidates)
        if category.startswith(settings["near_miss_prefix"]):
            quota = max(0, settings["near_miss_target"] - counts.get(category, 0))
        else:
            quota = settings["template_quota"]
        added = 0
        taken = [0] * len(pools)
        while added < quota and any(i < len(pool) for i, pool in zip(taken, pools)):
            for j, pool in enumerate(pools):
                if added >= quota:
                    break
                while taken[j] < len(pool):
                    question = normalise(pool[taken[j]])
                    taken[j] += 1
                    if reason(question) is None:
                        seen.add(question.lower())
                        rows.append((question, category))
                        added += 1
                        break
    rng.shuffle(rows)
    return rows


def write_csv(rows: list[tuple[str, str]], out: Path) -> None:
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["question", "category"])
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE, help="the data folder (default: %(default)s)")
    parser.add_argument("--out", type=Path, help="where to write the CSV (default: offtopic.csv in the data folder)")
    args = parser.parse_args(argv)
    try:
        rows = build(args.source)
    except BuildError as exc:
        print(f"build_offtopic: {exc}", file=sys.stderr)
        return 1
    out = args.out or args.source / "offtopic.csv"
    write_csv(rows, out)
    print(f"wrote {len(rows)} questions to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
