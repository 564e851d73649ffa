"""Trainer checkpoint folders, and which of them are complete enough to resume from.

The Trainer saves ``checkpoints/checkpoint-<step>/`` and writes ``trainer_state.json`` last,
after weights, optimizer and RNG state; a process killed while saving leaves a folder without
it, or with it cut short. The Trainer itself resumes from the highest-numbered folder without
checking, so a partial one would fail every later attempt. Standard library only: the worker
checks its run folders before anything loads torch.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

STATE_FILE = "trainer_state.json"
_CHECKPOINT_RE = re.compile(r"^checkpoint-(\d+)$")


def checkpoint_folders(folder: Path) -> list[tuple[int, Path]]:
    """``(step, path)`` of every ``checkpoint-<step>`` folder in ``folder``, by step; ``[]`` if it is missing."""
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _CHECKPOINT_RE.match(p.name)) and p.is_dir()]
    return sorted(found)


def is_complete_checkpoint(checkpoint: Path) -> bool:
    """Whether the checkpoint's ``trainer_state.json`` exists and parses."""
    try:
        json.loads((checkpoint / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return True


def last_complete_checkpoint(folder: Path) -> Path | None:
    """The newest complete checkpoint in ``folder``, if any."""
    complete = [path for _step, path in checkpoint_folders(folder) if is_complete_checkpoint(path)]
    return complete[-1] if complete else None
