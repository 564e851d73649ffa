"""The job contract (:mod:`jobs`) as the web app uses it: its settings from the Flask config.

Views call the ``jobs`` functions directly with :func:`model_policy` and :func:`max_attempts`;
problems come back as ``jobs.SubmissionError``, which the views turn into flashed messages,
form problems or JSON errors, and jobs are sent with ``webadmin.broker.dispatch_job``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

from flask import Flask, current_app

from jobs import DEFAULT_MAX_ATTEMPTS, MAX_ATTEMPTS_ENV, MAX_BATCH_QUESTIONS, ModelPolicy, max_attempts_from_env

#: The one batch limit, under the name the upload parser imports.
MAX_FAQ_QUESTIONS = MAX_BATCH_QUESTIONS


def init_submissions(app: Flask, environ: Optional[Mapping[str, str]]) -> None:
    """Take ``HCMQA_MAX_ATTEMPTS`` from ``environ`` (None: the app's config alone, default 3),
    so web jobs get the same attempt cap as the command line's and the workers'."""
    value = app.config.get(MAX_ATTEMPTS_ENV)
    if value is None:
        value = DEFAULT_MAX_ATTEMPTS if environ is None else max_attempts_from_env(environ)
    app.config[MAX_ATTEMPTS_ENV] = max_attempts_from_env({MAX_ATTEMPTS_ENV: str(value)})


def max_attempts() -> int:
    """The attempt cap of jobs submitted through this app."""
    return int(current_app.config[MAX_ATTEMPTS_ENV])


def model_policy() -> ModelPolicy:
    """Which base models trials submitted through this app may name."""
    return ModelPolicy.from_config(current_app.config)
