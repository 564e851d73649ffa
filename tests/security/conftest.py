"""Fixtures for the security tests: the web tests' own (a real migrated SQLite database, the
real Flask app, a real Redis broker), loaded from ``tests/webadmin/conftest.py`` so both
folders exercise the app in exactly the same way. Helpers come from ``web_support.py``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

WEB_TESTS = Path(__file__).resolve().parent.parent / "webadmin"
if str(WEB_TESTS) not in sys.path:
    sys.path.insert(0, str(WEB_TESTS))  # web_support, as the web tests import it


def _load_web_fixtures():
    spec = importlib.util.spec_from_file_location("webadmin_test_fixtures", WEB_TESTS / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_web = _load_web_fixtures()

web_database_url = _web.web_database_url
web_home = _web.web_home
make_app = _web.make_app
app = _web.app
db_session = _web.db_session
admin_user = _web.admin_user
other_user = _web.other_user
client = _web.client
signed_in = _web.signed_in
redis_queues = _web.redis_queues
pytest_collection_modifyitems = _web.pytest_collection_modifyitems
