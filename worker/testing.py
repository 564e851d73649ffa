"""Fault injection for the test suite; imported only when ``HCMQA_WORKER_TEST_HOOKS=1``.

A job whose payload holds ``{"test_fault": "kill_worker"}`` kills the worker process that
claimed it (SIGKILL, as the kernel's OOM killer would), after the claim and before any
work. The tests use it to show that such a job ends ``failed`` at the attempt cap instead
of being redelivered forever. Production never imports this module.
"""

from __future__ import annotations

import logging
import os
import signal
from typing import Any

from worker.lifecycle import job_started

log = logging.getLogger(__name__)

KILL_WORKER = "kill_worker"


@job_started.connect
def _inject_fault(sender: Any = None, job_id: int = 0, attempt: int = 0, payload: Any = None, **_: Any) -> None:
    if isinstance(payload, dict) and payload.get("test_fault") == KILL_WORKER:
        log.warning("test hook: killing worker process %s during job %s (attempt %s)", os.getpid(), job_id, attempt)
        os.kill(os.getpid(), signal.SIGKILL)
