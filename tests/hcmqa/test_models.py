"""The embedded base model: conversion, a real forward pass, a real 4-bit NF4 load."""

import json

import pytest

from hcmqa.registry import REGISTRY
from hcmqa.models import STAMP_FILE, UnknownModelError, load_model, load_tokenizer, prepare_model, resolve_model

pytestmark = pytest.mark.slow


def test_prepared_model_is_a_plain_safetensors_directory(model_dir, hcmqa_home):
    assert (model_dir / "model.safetensors").is_file()
    config = json.loads((model_dir / "config.json").read_text())
    assert "quantization_config" not in config
    assert config["model_type"] == "llama" and config["num_hidden_layers"] == 30
    assert json.loads((model_dir / STAMP_FILE).read_text())["name"] == "smollm2-135m"
    # preparing again is a no-op and resolving a registry name finds it
    assert prepare_model("smollm2-135m", hcmqa_home) == model_dir
    assert resolve_model("smollm2-135m", hcmqa_home) == str(model_dir)
    assert resolve_model(str(model_dir), hcmqa_home) == str(model_dir.resolve())


def test_forward_pass_gives_finite_logits_over_the_vocabulary(model_dir):
    import torch

    tokenizer = load_tokenizer(str(model_dir))
    model = load_model(str(model_dir))
    batch = tokenizer(["Ho Chi Minh was born in", "Hanoi is"], return_tensors="pt", padding=True)
    with torch.no_grad():
        logits = model(**batch).logits
    assert logits.shape[:2] == batch["input_ids"].shape
    assert logits.shape[-1] == model.config.vocab_size == 49152
    assert torch.isfinite(logits).all()
    # greedy generation produces new tokens
    out = model.generate(**tokenizer(["The capital of France is"], return_tensors="pt"), max_new_tokens=5, do_sample=False)
    assert out.shape[1] > 5


def test_four_bit_nf4_load_replaces_linear_layers(model_dir):
    import bitsandbytes as bnb
    import torch

    model = load_model(str(model_dir), load_in_4bit=True)
    four_bit = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert len(four_bit) == 30 * 7  # q, k, v, o, gate, up, down in each decoder layer
    assert four_bit[0].weight.quant_state.quant_type == "nf4"
    full = load_model(str(model_dir))
    assert model.get_memory_footprint() < 0.75 * full.get_memory_footprint()
    tokenizer = load_tokenizer(str(model_dir))
    with torch.no_grad():
        logits = model(**tokenizer(["Ho Chi Minh"], return_tensors="pt")).logits
    assert torch.isfinite(logits).all()


def test_unknown_models_give_clear_errors(hcmqa_home, tmp_path):
    with pytest.raises(UnknownModelError, match="unknown model 'no-such-model'"):
        resolve_model("no-such-model", hcmqa_home)
    (tmp_path / "empty").mkdir()
    with pytest.raises(UnknownModelError, match="not a model directory"):
        resolve_model(str(tmp_path / "empty"), hcmqa_home)
    with pytest.raises(UnknownModelError, match="not in the local Hugging Face cache"):
        resolve_model("nobody-here/not-a-model", hcmqa_home)
    with pytest.raises(UnknownModelError, match="base_model: empty"):
        resolve_model(" ", hcmqa_home)
    with pytest.raises(UnknownModelError, match="not a registry model"):
        prepare_model("gpt-17", hcmqa_home)
    assert "falcon-7b-instruct" in REGISTRY
