"""Who owns a job: the name a worker process records in ``jobs.worker``, and whether the
process behind such a name is certainly dead."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path
from typing import Optional

_OWNER_RE = re.compile(r" pid=(?P<pid>\d+) host=(?P<host>\S+)$")


def worker_name(node: Optional[str]) -> str:
    """Name stored in ``jobs.worker``: the Celery node plus this process's pid and host.

    Per process, not per node: each prefork child is a separate owner, which lets a sibling
    recognise a dead one (see :func:`owner_is_dead`).
    """
    host = socket.gethostname()
    return f"{node or 'worker'} pid={os.getpid()} host={host}"


def _pid_alive(pid: int) -> bool:
    """True while ``pid`` is a live (non-zombie) process on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        # Third field is the state; "Z" is a zombie (dead, not yet reaped).
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def owner_is_dead(owner: str) -> bool:
    """Whether a job's recorded owner is certainly dead: same host, process gone.

    Lets a redelivered message of a crashed (e.g. OOM-killed) process be taken over at once
    instead of after ``stale_after_s``. Anything we cannot check (another host, a name in
    another format) counts as alive and is left to the heartbeat timeout.
    """
    match = _OWNER_RE.search(owner)
    if match is None or match["host"] != socket.gethostname():
        return False
    return not _pid_alive(int(match["pid"]))
