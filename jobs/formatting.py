"""How a job's facts read, for the web app and the ``hcmqa jobs`` table alike.

Plain on purpose (no Flask, no worker code): ``webadmin.formatting`` and the worker's command
line both import it, so a duration or a training position is worded by one function.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Optional

#: Shown for a value that is not known (yet).
UNKNOWN = "\u2014"


def duration(seconds: Optional[float], *, compact: bool = False, unknown: str = UNKNOWN) -> str:
    """``2 h 05 min``, ``3 min 20 s``, ``45 s``; ``unknown`` when there is no finite value.

    ``compact`` is for fixed-width terminal tables: ``2h05m``, ``3m20s``, ``45s``.
    """
    if seconds is None or not math.isfinite(seconds):
        return unknown
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if compact:
        if hours:
            return f"{hours}h{minutes:02d}m"
        if minutes:
            return f"{minutes}m{secs:02d}s"
        return f"{secs}s"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def training_step(detail: Optional[Mapping[str, Any]]) -> Optional[str]:
    """``step 120/300`` from a training job's progress detail; None for other details."""
    detail = detail or {}
    step, total = detail.get("step"), detail.get("total")
    if step is not None and total:
        return f"step {step}/{total}"
    return None
