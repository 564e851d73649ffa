"""A tiny QLoRA trial (4-bit NF4 on the CPU): trains, checkpoints, cancels, resumes, early-stops."""

import json

import pytest

from hcmqa.config import TrialConfig
from hcmqa.training import run_trial

pytestmark = pytest.mark.slow

TINY = dict(
    name="tiny",
    mode="closed_book",
    load_in_4bit=True,
    lora_r=4,
    lora_alpha=8,
    target_modules="q_proj,v_proj",
    freeze_first_layers=24,
    batch_size=2,
    max_steps=4,
    eval_steps=2,
    logging_steps=1,
    val_limit=4,
    eval_generate_samples=2,
    max_new_tokens=8,
    max_seq_length=96,
    early_stopping_patience=0,
    save_total_limit=3,
)


def points(run_dir):
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def test_tiny_trial_cancels_then_resumes_to_completion(tmp_path, hcmqa_home, model_dir, dataset_dir):
    config = TrialConfig.from_dict(TINY)
    run_dir = tmp_path / "run"
    polls = []

    def cancel_at_two():  # polled once at the end of every step
        polls.append(1)
        return len(polls) >= 2

    seen = []
    result = run_trial(config, dataset_dir, run_dir, hcmqa_home, progress=lambda p: seen.append(p.step), should_cancel=cancel_at_two)
    assert seen and max(seen) == 2
    assert result.status == "cancelled"
    assert result.summary["global_step"] == 2
    assert (run_dir / "checkpoints" / "checkpoint-2").is_dir()
    assert not (run_dir / "adapter").exists()
    assert json.loads((run_dir / "manifest.json").read_text())["status"] == "cancelled"

    resumed = run_trial(config, dataset_dir, run_dir, hcmqa_home)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert resumed.status == "succeeded"
    assert manifest["resumed_from"].endswith("checkpoint-2")
    assert resumed.summary["global_step"] == 4
    assert (run_dir / "adapter" / "adapter_config.json").is_file()
    assert manifest["dataset"]["version"] and manifest["versions"]["bitsandbytes"]
    pts = points(run_dir)
    keys = [(p["step"], p["split"], p["name"]) for p in pts]
    assert len(keys) == len(set(keys)), "resuming must not duplicate metric points"
    names = {(p["split"], p["name"]) for p in pts}
    assert {("train", "loss"), ("val", "eval_loss"), ("val", "token_f1"), ("val", "key_fact_accuracy")} <= names
    assert {p["step"] for p in pts if p["name"] == "eval_loss"} == {2, 4}
    # a finished run is not trained again
    again = run_trial(config, dataset_dir, run_dir, hcmqa_home)
    assert again.status == "succeeded" and again.summary == resumed.summary


def test_early_stopping_stops_and_restores_the_best_checkpoint(tmp_path, hcmqa_home, model_dir, dataset_dir):
    # A learning rate this large makes the loss diverge, so eval loss gets worse after the
    # first evaluation and patience 1 must stop training long before max_steps.
    config = TrialConfig.from_dict({**TINY, "learning_rate": 1.0, "scheduler": "constant", "max_steps": 12, "eval_steps": 1, "early_stopping_patience": 1, "eval_generate_samples": 0, "max_grad_norm": 1000.0})
    result = run_trial(config, dataset_dir, tmp_path / "run", hcmqa_home)
    assert result.status == "succeeded"
    assert result.stopped_early and result.summary["global_step"] < 12
    evals = [p for p in points(tmp_path / "run") if p["name"] == "eval_loss"]
    best = min(evals, key=lambda p: p["value"])
    assert result.summary["best_checkpoint"].endswith(f"checkpoint-{best['step']}")
    assert result.summary["best_eval_loss"] == pytest.approx(best["value"])


def test_a_time_limit_stops_training_after_evaluating_and_keeping_that_step(tmp_path, hcmqa_home, model_dir, dataset_dir):
    # A limit shorter than one step: training stops after its first step, evaluated and saved.
    config = TrialConfig.from_dict({**TINY, "max_steps": 40, "eval_steps": 20, "max_train_minutes": 0.0001,
                                    "eval_generate_samples": 0})
    result = run_trial(config, dataset_dir, tmp_path / "run", hcmqa_home)
    assert result.status == "succeeded"
    assert result.summary["stopped_by_time_limit"] and result.stopped_early
    assert result.summary["global_step"] == 1
    assert [p["step"] for p in points(tmp_path / "run") if p["name"] == "eval_loss"] == [1]
    assert result.summary["best_checkpoint"].endswith("checkpoint-1")
    assert (tmp_path / "run" / "adapter" / "adapter_config.json").is_file()


def test_hardware_and_module_problems_fail_before_training(tmp_path, hcmqa_home, model_dir, dataset_dir):
    from hcmqa.config import ConfigError

    with pytest.raises(ConfigError) as info:
        run_trial(TrialConfig.from_dict({**TINY, "optimizer": "paged_adamw_32bit"}), dataset_dir, tmp_path / "a", hcmqa_home)
    assert "needs a CUDA GPU" in info.value.errors["optimizer"]
    with pytest.raises(ConfigError) as info:
        run_trial(TrialConfig.from_dict({**TINY, "target_modules": "q_proj,query_key_value"}), dataset_dir, tmp_path / "b", hcmqa_home)
    assert "query_key_value" in info.value.errors["target_modules"]


def test_the_answer_position_loss_equals_the_models_own_loss_and_projects_only_answer_positions(model_dir):
    import torch

    from hcmqa.models import load_model, load_tokenizer
    from hcmqa.training import answer_loss, make_collator, tokenize_example

    tokenizer = load_tokenizer(str(model_dir))
    model = load_model(str(model_dir))
    examples = [
        ([{"role": "user", "content": "Where was he born?"}], "In Kim Lien, Nghe An."),
        ([{"role": "user", "content": "When did he read the Declaration of Independence, and where?"}], "On 2 September 1945 in Ba Dinh Square."),
        ([{"role": "user", "content": "Who?"}], "Nguyen Sinh Sac."),
    ]
    batch = make_collator(tokenizer)([tokenize_example(tokenizer, m, a, 96) for m, a in examples])
    labels = batch["labels"]
    keep = batch["logits_to_keep"]
    # a position is kept exactly when the next token is a label; the last never is
    assert keep.dtype == torch.bool and keep.shape == labels.shape
    assert torch.equal(keep[:, :-1], labels[:, 1:] != -100) and not keep[:, -1].any()
    n_targets = int((labels[:, 1:] != -100).sum())
    with torch.no_grad():
        inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
        reference = model(**inputs, labels=labels).loss
        reference_sum = model(**inputs, labels=labels, num_items_in_batch=torch.tensor(n_targets)).loss
        outputs = model(**inputs, logits_to_keep=keep)
        assert outputs.logits.shape[-2] == n_targets  # only the answer positions were projected
        assert torch.allclose(answer_loss(outputs, labels), reference, atol=1e-5)
        assert torch.allclose(answer_loss(outputs, labels, torch.tensor(n_targets)), reference_sum, atol=1e-5)
