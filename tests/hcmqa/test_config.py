import json

import pytest

from hcmqa.config import ConfigError, TrialConfig, load_preset


def test_every_invalid_field_is_reported_at_once():
    with pytest.raises(ConfigError) as info:
        TrialConfig.from_dict({"lora_r": "x", "learning_rate": -1, "mode": "open", "batch_size": 0, "optimizer": "sgd", "bogus": 1, "warmup_ratio": 0.9})
    errors = info.value.errors
    assert set(errors) == {"lora_r", "learning_rate", "mode", "batch_size", "optimizer", "bogus", "warmup_ratio"}
    assert errors["lora_r"] == "expected a whole number, got 'x'"
    assert "unknown field" in errors["bogus"]


def test_target_modules_are_checked_against_the_model():
    with pytest.raises(ConfigError) as info:
        TrialConfig.from_dict({"target_modules": "q_proj, wrong_proj"}, model_modules={"q_proj", "v_proj"})
    assert "not in the model: wrong_proj" in info.value.errors["target_modules"]


def test_form_strings_are_converted_and_round_trip(tmp_path):
    config = TrialConfig.from_dict({"lora_r": "8", "load_in_4bit": "false", "learning_rate": "1e-4", "target_modules": "q_proj,v_proj"})
    assert (config.lora_r, config.load_in_4bit, config.learning_rate, config.target_modules) == (8, False, 1e-4, ("q_proj", "v_proj"))
    path = tmp_path / "trial.json"
    path.write_text(json.dumps(config.to_dict()))
    assert TrialConfig.from_file(path) == config
    (tmp_path / "t.yaml").write_text("lora_r: 4\nmode: closed_book\n")
    assert TrialConfig.from_file(tmp_path / "t.yaml").mode == "closed_book"
    (tmp_path / "bad.yaml").write_text("lora_r: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        TrialConfig.from_file(tmp_path / "bad.yaml")


def test_presets_load_and_specs_describe_every_field():
    assert load_preset("falcon-7b-academic").freeze_first_layers == 16
    assert load_preset("cpu-default").mode == "grounded"
    specs = TrialConfig.field_specs()
    assert [s["name"] for s in specs][:3] == ["name", "base_model", "mode"]
    assert all(s["help"] for s in specs)
    with pytest.raises(ConfigError, match="unknown preset"):
        load_preset("nope")


def test_huge_integers_control_characters_and_overlong_names_are_rejected_per_field():
    config = TrialConfig(
        seed=10**30, freeze_first_layers=10**18, eval_steps=10**20, val_limit=10**20, early_stopping_patience=10**20,
        logging_steps=10**20, name="trial\x00one", base_model="x" * 256,
    )
    problems = config.problems()
    assert set(problems) == {"seed", "freeze_first_layers", "eval_steps", "val_limit", "early_stopping_patience", "logging_steps", "name", "base_model"}
    assert "control characters" in problems["name"] and "255" in problems["base_model"]
    assert TrialConfig(base_model="smollm2\x00").problems()["base_model"].startswith("must not contain control")


def test_a_preset_is_a_name_never_a_path(tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("lora_r: s3cr3t-token-value\n", encoding="utf-8")
    for name in (str(tmp_path / "secret"), "../presets/cpu-default", "cpu-default/../cpu-default"):
        with pytest.raises(ConfigError) as info:
            load_preset(name)
        assert "unknown preset" in info.value.errors["preset"] and "s3cr3t" not in str(info.value.errors)
    assert load_preset("cpu-default").name == "cpu-default"
