"""HCM-QA admin web app: trials, metrics, datasets, FAQ batches and a chat playground.

``create_app`` follows Flask's application-factory pattern. The app talks to the database
(``db``) and *sends* Celery tasks by name; it never imports the worker, torch or the training
code, so it starts in a fraction of a second on a machine without a GPU.

Run it with ``flask --app webadmin run``; create the first account with
``flask --app webadmin create-admin USERNAME``.
"""

from webadmin.app import create_app, csrf

__all__ = ["create_app", "csrf"]
