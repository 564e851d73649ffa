"""The bundled second topic pack (hcmqa/resources/topics/marie-curie) end to end on the real model:
``hcmqa topic add``, its retriever and gate, a tiny grounded trial, and answers through the full
path (gate, retrieval, answerability, generation, guard) in that topic's own words."""

import json

import pytest

from hcmqa.answering import load_assistant
from hcmqa.cli import main
from hcmqa.config import TrialConfig
from hcmqa.data.build import TOPICS_DIR
from hcmqa.gate import GateClassifier
from hcmqa.retriever_training import RetrieverSettings, ensure_retriever
from hcmqa.topic import dataset_topic, default_topic, load_topic
from hcmqa.training import run_trial

pytestmark = pytest.mark.slow

PACK = TOPICS_DIR / "marie-curie"


@pytest.fixture(scope="module")
def curie(tmp_path_factory, hcmqa_home, model_dir):
    """The pack set up by one command, with a small retriever (MiniLM, float32, as the other tests')."""
    home = tmp_path_factory.mktemp("curie-home")
    (home / "models").symlink_to(hcmqa_home / "models", target_is_directory=True)
    assert main(["--home", str(home), "topic", "add", "marie-curie", "--no-retriever"]) == 0
    (dataset,) = (home / "datasets").iterdir()
    ensure_retriever(dataset, RetrieverSettings(base_encoder="minilm", train_dtype="float32"))
    return home, dataset


def test_the_pack_is_valid_and_its_gate_tells_its_questions_from_the_rest(curie):
    home, dataset = curie
    profile = load_topic(PACK / "topic.yaml")
    assert dataset_topic(dataset) == profile and profile != default_topic()
    manifest = json.loads((dataset / "manifest.json").read_text())
    assert manifest["counts"]["words"] >= 2000 and manifest["counts"]["qa_pairs"] >= 140 and manifest["counts"]["nearmiss"] > 0
    assert manifest["audit"]["open_findings"] == 0
    assert all(manifest["splits"][s] > 0 for s in ("train", "val", "test_paraphrase", "test_unseen"))
    gate = GateClassifier.load(dataset / "gate")
    heldout = gate.metadata["heldout"]
    # floors, not figures: bench/quality and the README carry the measured values
    assert heldout["related"]["recall"] >= 0.85 and heldout["unrelated"]["precision"] >= 0.95
    assert not (home / "gate").exists()  # the bundled topic's gate is another


def test_a_tiny_grounded_trial_answers_in_the_topics_own_words(curie, tmp_path, hcmqa_home):
    home, dataset = curie
    config = TrialConfig.from_dict(dict(
        name="curie-tiny", mode="grounded", load_in_4bit=False, lora_r=2, lora_alpha=4, target_modules="q_proj,v_proj",
        batch_size=2, max_steps=2, eval_steps=2, logging_steps=1, val_limit=2, eval_generate_samples=2, max_new_tokens=24,
        max_seq_length=256, early_stopping_patience=0, save_total_limit=2, compute_dtype="float32",
    ))
    run = tmp_path / "run"
    result = run_trial(config, dataset, run, home)
    assert result.status == "succeeded"
    manifest = json.loads((run / "manifest.json").read_text())
    profile = dataset_topic(dataset)
    assert manifest["topic"] == {"subject": "Marie Curie", "description": profile.description, "sha256": profile.sha256()}

    assistant = load_assistant(run, home, dtype="float32")
    assert assistant.topic == profile
    answers = assistant.answer_batch(["Where was Marie Curie born?", "Who won the 2018 football World Cup?"])
    born, off = answers
    assert born.related and born.path in ("generated", "extracted") and "Warsaw" in born.answer
    assert all(s["id"].split("/")[0] in {"01-life", "02-science-and-legacy", "03-wikipedia-style"} for s in born.sources), born.sources
    assert off.path == "refused_off_topic" and off.answer == profile.refusal_off_topic
    # a follow-up uses the profile's pronouns
    follow = assistant.chat_turn([born], "When did she die?")
    assert follow.resolved_question == "When did Marie Curie die?" and follow.related
