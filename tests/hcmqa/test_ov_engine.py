"""The OpenVINO engine: a real export with optimum-intel (.venv-openvino) and real generation."""

import os
import stat

import pytest

pytestmark = pytest.mark.slow

QUESTIONS = [
    "When was Ho Chi Minh born?",
    "Where did Ho Chi Minh read the Declaration of Independence?",
    "What ship did Nguyen Tat Thanh leave Saigon on in 1911?",
    "Who was Ho Chi Minh's father?",
]


@pytest.fixture(scope="module")
def grounded_prompts(hcmqa_home, model_dir, trained_dataset_dir):
    from hcmqa.answering import load_assistant

    assistant = load_assistant(None, hcmqa_home, dataset_dir=trained_dataset_dir, dtype="float32")
    return [assistant.prompt(q, c) for q, c in zip(QUESTIONS, assistant.contexts(QUESTIONS))]


def test_an_assistant_on_the_openvino_engine_exports_the_base_model_once_and_answers_as_transformers_does(hcmqa_home, model_dir, trained_dataset_dir, grounded_prompts, capsys):
    from hcmqa.answering import load_assistant
    from hcmqa.generation import load_generator
    from hcmqa.ov_engine import export_dir_for, is_exported

    assistant = load_assistant(None, hcmqa_home, dataset_dir=trained_dataset_dir, dtype="float32", engine="openvino")
    exported = export_dir_for(model_dir, None)
    assert is_exported(exported) and exported.parent == model_dir.parent
    assert "exported to" in capsys.readouterr().err
    assert assistant.description.endswith("float32, OpenVINO") and assistant.generator.batch_size == 256
    # in float32 the two engines decode greedily to the same tokens
    reference = load_generator(str(model_dir), max_new_tokens=40, batch_size=4, dtype="float32").generate(grounded_prompts)
    assistant.generator.max_new_tokens = 40
    done = []
    answers = assistant.generator.generate(grounded_prompts, progress=lambda n, total: done.append((n, total)))
    assert [a.text for a in answers] == [r.text for r in reference]
    assert all(a.text for a in answers) and done[-1] == (4, 4)
    # a single prompt decodes with prompt lookup, through a second pipeline built for it on first
    # use, or ahead of it by prepare_single (as a worker does)
    assert "lookup_pipeline" not in vars(assistant.generator)
    assistant.generator.prepare_single()
    lookup = vars(assistant.generator)["lookup_pipeline"]
    single = assistant.generator.generate(grounded_prompts[:1])
    assert vars(assistant.generator)["lookup_pipeline"] is lookup and single[0].text
    assert single[0].text.split()[:3] == answers[0].text.split()[:3]
    # without lookup a single prompt decodes as in the batch
    assistant.generator.prompt_lookup_tokens = 0
    assert assistant.generator.generate(grounded_prompts[:1])[0].text == answers[0].text
    with pytest.raises(ValueError, match="prompt_lookup_tokens"):
        type(assistant.generator)(assistant.generator.model_dir, prompt_lookup_tokens=-1)
    with pytest.raises(ValueError, match="batch_tokens"):
        type(assistant.generator)(assistant.generator.model_dir, batch_tokens=0)
    # a second load reuses the export
    load_assistant(None, hcmqa_home, dataset_dir=trained_dataset_dir, dtype="float32", engine="openvino")
    assert "exported to" not in capsys.readouterr().err
    # the whole path answers through it: sources quoted, path recorded
    answer = assistant.answer_batch(["Where was Ho Chi Minh born?"])[0]
    assert answer.related and answer.sources and answer.path in ("generated", "extracted")


def test_a_trial_adapter_is_merged_into_its_export(model_dir, tmp_path, grounded_prompts):
    import json

    from peft import LoraConfig, get_peft_model

    from hcmqa.generation import load_generator
    from hcmqa.models import load_model
    from hcmqa.ov_engine import EXPORT_DIR, MARKER, load_openvino_generator

    # an adapter whose weights are not the identity, so only a merged export can match it
    model = get_peft_model(load_model(str(model_dir), compute_dtype="float32"), LoraConfig(r=8, lora_alpha=2, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    model.save_pretrained(tmp_path / "adapter")
    run = tmp_path / "run"
    engine = load_openvino_generator(str(model_dir), str(tmp_path / "adapter"), run, max_new_tokens=24, dtype="float32")
    marker = json.loads((run / EXPORT_DIR / MARKER).read_text(encoding="utf-8"))
    assert marker["adapter"] == str(tmp_path / "adapter") and marker["weights"] == "float32"
    merged = load_generator(str(model_dir), str(tmp_path / "adapter"), max_new_tokens=24, batch_size=4, dtype="float32").generate(grounded_prompts)
    base = load_generator(str(model_dir), max_new_tokens=24, batch_size=4, dtype="float32").generate(grounded_prompts)
    answers = [a.text for a in engine.generate(grounded_prompts)]
    assert answers == [m.text for m in merged]
    assert answers != [b.text for b in base]


def test_an_export_that_cannot_run_or_fails_says_why_and_leaves_nothing(model_dir, tmp_path, monkeypatch):
    from hcmqa.ov_engine import EXPORTER_ENV, export_model

    out = tmp_path / "out"
    monkeypatch.setenv(EXPORTER_ENV, str(tmp_path / "no-such-optimum-cli"))
    with pytest.raises(FileNotFoundError, match="make install-openvino"):
        export_model(model_dir, None, out)
    failing = tmp_path / "optimum-cli"
    failing.write_text("#!/bin/sh\necho 'unsupported architecture' >&2\nexit 3\n", encoding="utf-8")
    failing.chmod(failing.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv(EXPORTER_ENV, str(failing))
    with pytest.raises(RuntimeError, match=r"(?s)exit 3.*unsupported architecture"):
        export_model(model_dir, None, out)
    assert sorted(os.listdir(tmp_path)) == ["optimum-cli"]
