"""V5.1.3 input bounds: the probe's out-of-range numbers, NUL bytes, over-long strings, a
preset given as a file path and an overflowing offset each get a clear 4xx naming the field,
and nothing is written. NUL bytes in uploaded question lists are covered in
tests/webadmin/test_web_faq.py."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import Trial
from web_support import csrf_token


def _post_trial(client, body: dict):
    return client.post("/api/trials", json=body, headers={"X-CSRFToken": csrf_token(client, "/")})


def _trials(db_session) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(Trial))


@pytest.mark.parametrize("field, value", [
    ("seed", 10**30), ("freeze_first_layers", 10**18), ("eval_steps", 10**20), ("val_limit", 10**20),
    ("early_stopping_patience", 10**20), ("name", "trial\x00one"), ("name", "n" * 10_000),
])
def test_out_of_range_or_malformed_trial_fields_are_refused_by_name(signed_in, db_session, field, value):
    response = _post_trial(signed_in, {"config": {"name": "probe", field: value}})
    assert response.status_code == 400
    assert field in response.get_json()["errors"]
    assert _trials(db_session) == 0


def test_a_preset_given_as_a_path_is_refused_without_reading_it(signed_in, db_session, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("lora_r: s3cr3t-token-value\n", encoding="utf-8")
    response = _post_trial(signed_in, {"preset": str(secret.with_suffix(""))})
    assert 400 <= response.status_code < 500
    assert "s3cr3t" not in response.get_data(as_text=True)
    assert _trials(db_session) == 0


def test_an_overflowing_offset_is_a_clear_400(signed_in):
    response = signed_in.get("/api/trials?offset=99999999999999999999")
    assert response.status_code == 400
    assert "offset" in response.get_json()["error"]
