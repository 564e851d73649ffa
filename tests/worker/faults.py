"""Fault injection for the worker tests, and the entry point their workers start through.

The test stack starts workers as ``python -m tests.worker.faults worker ...``: this module
connects its handler to :data:`worker.lifecycle.job_started`, then runs the ordinary
``python -m worker`` command line. The production app never imports it (a test checks).
Prefork children are forked from that process, so they inherit the connection.

Faults, named by the job payload's ``test_fault``, act after the claim and before any work:

- ``kill_worker``: the worker process that claimed the job kills itself (SIGKILL, as the
  kernel's OOM killer would). Shows that such a job ends ``failed`` at the attempt cap
  instead of being redelivered forever.
- ``stall_first_attempt``: the first attempt sleeps for a minute (heart-beating), so a test
  can kill the whole worker while the job runs; later attempts run normally.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from typing import Any

log = logging.getLogger(__name__)

KILL_WORKER = "kill_worker"
STALL_FIRST_ATTEMPT = "stall_first_attempt"


def inject_fault(
    sender: Any = None, job_id: int = 0, attempt: int = 0, payload: Any = None, **_: Any
) -> None:
    """``job_started`` receiver: act on the payload's ``test_fault``, if any."""
    fault = payload.get("test_fault") if isinstance(payload, dict) else None
    if fault == KILL_WORKER:
        log.warning(
            "test hook: killing worker process %s during job %s (attempt %s)",
            os.getpid(),
            job_id,
            attempt,
        )
        os.kill(os.getpid(), signal.SIGKILL)
    if fault == STALL_FIRST_ATTEMPT and attempt == 1:
        log.warning("test hook: stalling job %s (attempt 1) for 60 s", job_id)
        time.sleep(60)


def install() -> None:
    """Connect :func:`inject_fault` in this process (strongly: nothing else holds it)."""
    from worker.lifecycle import job_started

    job_started.connect(inject_fault, weak=False)


def main(argv: list[str]) -> int:
    from worker.cli import main as worker_main

    install()
    log.warning("test fault injection is active in this worker")
    return worker_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
