"""Gated, grounded answering with the real base model: refusals, sources, chat follow-ups."""

import pytest

from hcmqa.answering import Answer, resolve_followup
from hcmqa.prompts import REFUSAL_NO_SOURCE, REFUSAL_OFFTOPIC


def test_followups_are_resolved_only_after_an_on_topic_turn():
    on = [Answer("When was Ho Chi Minh born?", True, "In 1890.")]
    off = [Answer("Who won the cup?", False, REFUSAL_OFFTOPIC)]
    assert resolve_followup("When did he die?", on) == "When did Ho Chi Minh die?"
    assert resolve_followup("Who was his father?", on) == "Who was Ho Chi Minh's father?"
    assert resolve_followup("When did he die?", off) == "When did he die?"
    assert resolve_followup("Where did Ho Chi Minh die?", on) == "Where did Ho Chi Minh die?"


def test_a_question_asked_on_its_own_means_the_museums_subject_unless_it_names_someone_else():
    known = {"paris", "hanoi"}.__contains__
    assert resolve_followup("How old was he when he died?", []) == "How old was Ho Chi Minh when he died?"
    assert resolve_followup("What did he do in Paris?", [], known=lambda n: known(n.lower())) == "What did Ho Chi Minh do in Paris?"
    assert resolve_followup("When did Messi say he would retire?", [], known=lambda n: known(n.lower())) == "When did Messi say he would retire?"
    assert resolve_followup("What did he do in Paris?", []) == "What did he do in Paris?"  # no sources to ask: left alone


@pytest.fixture(scope="module")
def assistant(hcmqa_home, model_dir, trained_dataset_dir):
    from hcmqa.answering import load_assistant

    return load_assistant(None, hcmqa_home, dataset_dir=trained_dataset_dir, batch_size=8)


@pytest.mark.slow
def test_off_topic_and_unsupported_questions_are_refused_without_generation(assistant):
    calls = []
    real = assistant.generator.generate
    assistant.generator.generate = lambda prompts, progress=None: calls.append(len(prompts)) or real(prompts, progress)
    try:
        answers = assistant.answer_batch(["Who won the football World Cup in 2018?", "What is the best pho restaurant in Ho Chi Minh City?"])
    finally:
        assistant.generator.generate = real
    assert [a.related for a in answers] == [False, False]
    assert all(a.answer == REFUSAL_OFFTOPIC and a.refused == "off_topic" and a.sources == [] for a in answers)
    assert calls == [0]


@pytest.mark.slow
def test_a_question_the_sources_cannot_answer_is_declined_without_generation(assistant):
    from hcmqa.evaluation import is_declined

    calls = []
    real = assistant.generator.generate
    assistant.generator.generate = lambda prompts, progress=None: calls.append(len(prompts)) or real(prompts, progress)
    try:
        answer = assistant.ask("How many centimetres tall was Ho Chi Minh, and what was his blood type?")
    finally:
        assistant.generator.generate = real
    assert answer.related and answer.answerable is not None and answer.answerable < assistant.answerability.confident
    assert is_declined(answer) and answer.path in ("refused_no_source", "extracted")
    assert calls == [0]


@pytest.mark.slow
def test_grounded_answer_carries_sources_and_duplicates_are_answered_once(assistant):
    answers = assistant.answer_batch(["When was Ho Chi Minh born?", "when was ho chi minh born", "Who won the World Cup in 2018?"])
    first, dup, off = answers
    assert first.related and first.answer and not first.refused
    assert first.sources and {"id", "title", "section", "text"} <= set(first.sources[0])
    assert any("1890" in s["text"] for s in first.sources)
    assert dup.answer == first.answer and dup.sources == first.sources and dup.question == "when was ho chi minh born"
    assert off.refused == "off_topic"


@pytest.mark.slow
def test_a_question_naming_the_subject_by_initials_or_misspelt_is_answered_from_the_sources(assistant):
    plain, initials, misspelt = assistant.answer_batch(["When was Ho Chi Minh born?", "HCM birthday?", "where did ho chi mihn die"])
    assert initials.related and not initials.refused and initials.resolved_question == "Ho Chi Minh birthday?"
    assert any("1890" in s["text"] for s in initials.sources)
    assert misspelt.related and not misspelt.refused and misspelt.resolved_question == "where did Ho Chi Minh die"
    assert any("1969" in s["text"] for s in misspelt.sources)
    assert plain.related


@pytest.mark.slow
def test_chat_resolves_a_follow_up_against_the_conversation(assistant):
    first = assistant.chat_turn([], "When was Ho Chi Minh born?")
    second = assistant.chat_turn([first], "When did he die?")
    assert second.resolved_question == "When did Ho Chi Minh die?"
    assert second.related and second.sources
    assert any("1969" in s["text"] for s in second.sources)


@pytest.mark.slow
def test_an_answerability_model_fitted_by_an_older_version_is_refitted_when_an_assistant_loads(hcmqa_home, model_dir, trained_dataset_dir, tmp_path, capsys):
    import json
    import shutil

    from hcmqa.answerability import MODEL_VERSION
    from hcmqa.answering import load_assistant
    from hcmqa.retrieval import RETRIEVER_DIR

    dataset = tmp_path / trained_dataset_dir.name
    shutil.copytree(trained_dataset_dir, dataset)
    meta_path = dataset / RETRIEVER_DIR / "retriever.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    encoder = (dataset / RETRIEVER_DIR / "bi-encoder" / "model.safetensors").stat().st_mtime_ns
    meta["answerability"]["model"]["version"] = MODEL_VERSION - 1
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    assistant = load_assistant(None, hcmqa_home, dataset_dir=dataset, gate_dir=tmp_path / "gate", batch_size=8)
    # without the refit, the stored model would be ignored and nothing judged unanswerable
    assert assistant.answerability is not None
    assert json.loads(meta_path.read_text(encoding="utf-8"))["answerability"]["model"]["version"] == MODEL_VERSION
    assert "recalibrating" in capsys.readouterr().err
    # recalibrated on the bi-encoder it had, not retrained
    assert (dataset / RETRIEVER_DIR / "bi-encoder" / "model.safetensors").stat().st_mtime_ns == encoder


@pytest.mark.slow
def test_loading_never_retrains_a_bi_encoder_an_older_version_trained(trained_dataset_dir, tmp_path):
    import json
    import shutil

    from hcmqa.retrieval import RETRIEVER_DIR
    from hcmqa.retriever_training import ensure_retriever

    dataset = tmp_path / trained_dataset_dir.name
    shutil.copytree(trained_dataset_dir, dataset)
    meta_path = dataset / RETRIEVER_DIR / "retriever.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    del meta["settings"]["sentence_pairs"]  # trained before the field existed: a retrain is due
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    said = []
    kept = ensure_retriever(dataset, progress=said.append, train=False)
    assert kept == meta and json.loads(meta_path.read_text(encoding="utf-8")) == meta
    assert len(said) == 1 and "hcmqa data build" in said[0]
