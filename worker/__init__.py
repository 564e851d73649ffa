"""HCM-QA job workers: the Celery app, thin tasks (row -> hcmqa call -> rows), submission
helpers, the reaper and the ``worker``/``submit``/``jobs``/``db`` commands.

Depends on ``db`` and ``hcmqa``; heavy ML imports happen inside the tasks that need them.
"""
