"""The WSGI entry point for production servers: ``gunicorn webadmin.wsgi:app``.

Settings come from the environment (``webadmin.config``). Run ``hcmqa db upgrade`` (or the
compose ``migrate`` service) first; the app answers 503 with that hint while the schema is
missing or outdated.
"""

from webadmin.app import create_app

app = create_app()
