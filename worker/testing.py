"""Fault injection for the test suite; imported only when ``HCMQA_WORKER_TEST_HOOKS=1``.

Faults, named by the job payload's ``test_fault``, act after the claim and before any work:

- ``kill_worker``: the worker process that claimed the job kills itself (SIGKILL, as the
  kernel's OOM killer would). Shows that such a job ends ``failed`` at the attempt cap
  instead of being redelivered forever.
- ``stall_first_attempt``: the first attempt sleeps for a minute (heart-beating), so a test
  can kill the whole worker while the job runs; later attempts run normally.

Production never imports this module.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from typing import Any

from worker.lifecycle import job_started

log = logging.getLogger(__name__)

KILL_WORKER = "kill_worker"
STALL_FIRST_ATTEMPT = "stall_first_attempt"


@job_started.connect
def _inject_fault(
    sender: Any = None, job_id: int = 0, attempt: int = 0, payload: Any = None, **_: Any
) -> None:
    if isinstance(payload, dict) and payload.get("test_fault") == KILL_WORKER:
        log.warning(
            "test hook: killing worker process %s during job %s (attempt %s)",
            os.getpid(),
            job_id,
            attempt,
        )
        os.kill(os.getpid(), signal.SIGKILL)
    if (
        isinstance(payload, dict)
        and payload.get("test_fault") == STALL_FIRST_ATTEMPT
        and attempt == 1
    ):
        log.warning("test hook: stalling job %s (attempt 1) for 60 s", job_id)
        time.sleep(60)
