from hcmqa.data.qa import read_split
from hcmqa.retrieval import Retriever, sentence_in_context
from hcmqa.terms import tokenize
from hcmqa.text import contains_fact


def test_retrieval_returns_the_passage_that_holds_the_fact(trained_dataset_dir):
    # the trained retriever: BM25 alone does not meet "born" with "The birth took place"
    retriever = Retriever.from_dataset(trained_dataset_dir)
    hits = retriever.search("When was Ho Chi Minh born?", k=3)
    assert hits and any(contains_fact(h.passage.text, "19 May 1890") for h in hits)
    hits = retriever.search("In which year did Ho Chi Minh die?", k=3)
    assert any(contains_fact(h.passage.text, "2 September 1969") for h in hits)
    assert hits[0].as_source()["id"] == hits[0].passage.id


def test_retrieval_recall_on_unseen_facts_is_above_a_floor(dataset_dir):
    """All key facts of a held-out question appear in its top-4 passages for most questions."""
    retriever = Retriever.from_dataset(dataset_dir)
    pairs = read_split(dataset_dir, "test_unseen")
    found = 0
    for pair in pairs:
        text = " ".join(h.passage.text for h in retriever.search(pair.question, k=4))
        found += all(contains_fact(text, f) for f in pair.key_facts)
    assert found / len(pairs) >= 0.75


def test_nothing_relevant_returns_no_hits(dataset_dir):
    retriever = Retriever.from_dataset(dataset_dir)
    assert retriever.search("", k=3) == []
    assert retriever.search("the of and", k=3) == []
    assert retriever.search("quantum chromodynamics lattice gluon", k=3) == []
    assert tokenize("Who DIED in Hà Nội?") == ["die", "ha", "noi"]


# --- the trained retriever (bi-encoder + reranker fine-tuned on the train split) ----------------

import csv  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from hcmqa.retrieval import normalise_query  # noqa: E402

UNANSWERABLE = Path(__file__).resolve().parents[2] / "hcmqa" / "resources" / "qa" / "unanswerable.csv"


def test_the_subjects_names_are_dropped_from_queries_but_not_places_named_after_him():
    assert normalise_query("Who was Ho Chi Minh's father?") == "who was father?"
    assert normalise_query("When did Uncle Ho die?") == "when did die?"
    assert "ho chi minh city" in normalise_query("When was Saigon renamed Ho Chi Minh City?")
    assert normalise_query("Who was Ho Chi Minh?") == "who was ho chi minh?"


def test_a_name_asked_about_as_a_name_stays_in_the_query():
    assert normalise_query("Why is Ho Chi Minh called Uncle Ho?") == "why is called uncle ho?"
    assert normalise_query("Since when has Ho Chi Minh been known as Uncle Ho?") == "since when has been known as uncle ho?"
    assert normalise_query("What does the name Ho Chi Minh mean?") == "what does the name ho chi minh mean?"
    assert normalise_query('What does "Bac Ho" mean?') == 'what does "bac ho" mean?'
    # what bears his name
    assert normalise_query("What city is named after Ho Chi Minh?") == "what city is named after ho chi minh?"
    assert normalise_query("Which street in Kolkata was renamed for Ho Chi Minh?") == "which street in kolkata was renamed for ho chi minh?"
    assert normalise_query("What stands in front of the town hall in honour of Uncle Ho?") == "what stands in front of the town hall in honour of ?"
    # a name right after a kept one is kept too
    assert normalise_query("When did people start calling Ho Chi Minh Uncle Ho?") == "when did people start calling ho chi minh uncle ho?"
    # the person, not his name: called by him, or called something
    assert normalise_query("What was Uncle Ho's father called?") == "what was father called?"
    assert normalise_query("Did UNESCO call Ho Chi Minh a man of culture?") == "did unesco call a man of culture?"
    assert normalise_query("Which name did Ho Chi Minh use in Paris?") == "which name did use in paris?"
    assert normalise_query("What was the first name Ho Chi Minh ever had?") == "what was the first name ever had?"


@pytest.fixture(scope="module")
def trained(trained_dataset_dir):
    return Retriever.from_dataset(trained_dataset_dir)


@pytest.mark.slow
def test_trained_retriever_has_every_stage_and_a_val_threshold(trained, trained_dataset_dir):
    from hcmqa.data.build import load_manifest

    assert trained.stages == ["bm25", "dense", "hybrid"]
    assert 0.0 < trained.min_score < 1.0 and 0.0 < trained.bm25_weight < 1.0
    manifest = load_manifest(trained_dataset_dir)
    assert manifest["retriever"]["trained_on"] == "train"
    assert manifest["retriever"]["min_score"] == trained.min_score
    # every train question gave a passage pair and, where one sentence holds its facts, a sentence pair
    assert manifest["retriever"]["settings"]["sentence_pairs"] is True
    assert manifest["retriever"]["train_questions"] < manifest["retriever"]["train_pairs"] <= 2 * manifest["retriever"]["train_questions"] + 2
    # the answerability model was fitted on the val split and the dataset's unanswerable questions
    answerability = manifest["retriever"]["answerability"]
    assert answerability["negatives"]["unanswerable_dev"] > 0 and answerability["negatives"]["answer_removed"] > 0
    assert trained.answerability is not None and 0.0 < trained.answerability.refuse <= trained.answerability.confident < 1.0
    # the cached sentence vectors are the ones the model computes
    import numpy as np

    index = 5
    fresh = trained.dense.encode([f"{trained.passages[index].section}. {trained.dense.sentences[index][0]}"])[0]
    assert np.allclose(fresh, trained.dense.sentence_vectors[index][0], atol=1e-4)
    # and so are the vectors of each sentence read after the one before it
    assert len(trained.dense.sentences[index]) >= 2
    second = trained.dense.encode([sentence_in_context(trained.passages[index], trained.dense.sentences[index], 1)])[0]
    assert np.allclose(second, trained.dense.context_vectors[index][1], atol=1e-4)
    # val chose the context weight, and the manifest says what each weight scored
    from hcmqa.retriever_training import CONTEXT_WEIGHTS

    assert trained.context_weight == manifest["retriever"]["context_weight"] and trained.context_weight in CONTEXT_WEIGHTS
    assert set(manifest["retriever"]["calibration"]["val_best_2_sentences_hold_the_facts_by_context_weight"]) == {str(w) for w in CONTEXT_WEIGHTS}


def test_a_sentence_in_context_is_read_after_the_sentence_before_it():
    from hcmqa.data.passages import Passage

    p = Passage(id="p1", doc="life", title="Life", section="Testament", text="")
    sentences = ["In May 1965 he began writing his testament.", "He began it on 10 May 1965."]
    assert sentence_in_context(p, sentences, 0) == "Testament. In May 1965 he began writing his testament."
    assert sentence_in_context(p, sentences, 1) == "Testament. In May 1965 he began writing his testament. He began it on 10 May 1965."


@pytest.mark.slow
def test_a_sentences_score_mixes_its_similarity_alone_and_in_context(trained):
    import numpy as np

    question = "When did he start writing his testament?"
    hits = trained.rank_batch([question], k=3)[0]
    vector = trained.dense.query_vectors([trained.normalise(question)])[0]
    saved = trained.context_weight, trained.passage_weight
    try:
        trained.passage_weight = 0.0
        for weight in (0.0, 0.5):
            trained.context_weight = weight
            got = {(s.source, s.text): s.score for s in trained.focus_batch([question], [hits])[0]}
            for number, hit in enumerate(hits, start=1):
                index = trained._index_cache[hit.passage]
                alone = trained.dense.sentence_vectors[index] @ vector
                after = trained.dense.context_vectors[index] @ vector
                want = (1 - weight) * alone + weight * after
                for text, score in zip(trained.dense.sentences[index], want):
                    assert got[(number, text)] == pytest.approx(float(score), abs=1e-5)
            # reading in context changes the scores of sentences that have one before them
            if weight:
                assert any(not np.allclose(trained.dense.context_vectors[trained._index_cache[h.passage]][1:], trained.dense.sentence_vectors[trained._index_cache[h.passage]][1:]) for h in hits)
    finally:
        trained.context_weight, trained.passage_weight = saved


@pytest.mark.slow
def test_embeddings_saved_without_context_vectors_compute_them(trained, trained_dataset_dir, tmp_path):
    """A retriever trained by an older version saved no context vectors: they are computed when needed."""
    import numpy as np

    from hcmqa.retrieval import DenseIndex

    (tmp_path / "bi-encoder").symlink_to(trained_dataset_dir / "retriever" / "bi-encoder", target_is_directory=True)
    np.savez(tmp_path / "embeddings.npz", passages=trained.dense.embeddings, sentences=np.concatenate(trained.dense.sentence_vectors))
    older = DenseIndex(tmp_path / "bi-encoder", trained.passages)
    assert older._context_vectors is None
    assert np.allclose(np.concatenate(older.context_vectors), np.concatenate(trained.dense.context_vectors), atol=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize("split", ["test_paraphrase", "test_unseen"])
def test_trained_retriever_recall_at_3_is_above_a_floor(trained, trained_dataset_dir, split):
    """Every key fact inside the top 3 passages, on a fixed subset of each test split."""
    pairs = [p for p in read_split(trained_dataset_dir, split) if p.key_facts][:80]
    ranked = trained.rank_batch([p.question for p in pairs], k=3)
    found = sum(all(contains_fact(" ".join(h.passage.text for h in hits), f) for f in p.key_facts) for p, hits in zip(pairs, ranked))
    assert found / len(pairs) >= 0.8


@pytest.mark.slow
def test_an_empty_question_list_ranks_to_nothing_with_the_bi_encoder(trained):
    """A grounded trial with no probe questions (eval_generate_samples 0) ranks an empty list."""
    assert trained.dense is not None
    assert trained.rank_batch([], k=3) == []
    assert trained.focus_batch([], []) == []


@pytest.mark.slow
def test_the_answerability_model_declines_held_out_unanswerable_questions_and_keeps_answerable_ones(trained, trained_dataset_dir):
    """On the held-out unanswerable questions (never used to fit it) and on unseen answerable ones."""
    model = trained.answerability

    def decisions(questions):
        hits = trained.rank_batch(questions, k=3)
        features = trained.answerability_features(questions, hits, trained.focus_batch(questions, hits))
        return [model.decide(model.probability(x)) for x in features]

    unanswerable = [row["question"] for row in csv.DictReader(UNANSWERABLE.open(encoding="utf-8"))]
    answerable = [p.question for p in read_split(trained_dataset_dir, "test_unseen")][:120]
    declined = sum(d != "answer" for d in decisions(unanswerable)) / len(unanswerable)
    answered = sum(d == "answer" for d in decisions(answerable)) / len(answerable)
    refused = sum(d == "refuse" for d in decisions(answerable)) / len(answerable)
    # the answer threshold is set to decline 0.9 of the development unanswerable questions:
    # most held-out ones are declined; answerable ones are mostly answered or given the
    # closest sources (which quote the same sentences), seldom refused
    assert declined >= 0.8 and answered >= 0.25 and refused <= 0.15, (declined, answered, refused)


@pytest.mark.slow
def test_unanswerable_questions_score_lower_than_answerable_ones(trained, trained_dataset_dir):
    """The "nothing relevant" signal: the top similarity is lower, on average, for questions the
    corpus cannot answer than for held-out questions it can."""
    questions = [row["question"] for row in csv.DictReader(UNANSWERABLE.open(encoding="utf-8"))]
    answerable = [p.question for p in read_split(trained_dataset_dir, "test_unseen")][: len(questions)]

    def mean_top(qs):
        return sum(max(h.score for h in hits) for hits in trained.rank_batch(qs, k=3)) / len(qs)

    assert mean_top(questions) < mean_top(answerable)


def test_training_pairs_teach_the_sentence_that_holds_the_facts(dataset_dir):
    """Each train question gives a passage pair and a sentence pair; the sentence pair's positive
    holds every key fact and its negative, from the same passage where it can, holds none."""
    import random

    from hcmqa.retrieval import sentence_text
    from hcmqa.retriever_training import RetrieverSettings, _examples

    retriever = Retriever.from_dataset(dataset_dir, stages=("bm25",))
    pairs = [p for p in read_split(dataset_dir, "train") if p.key_facts][:40]
    rows = _examples(pairs, retriever, RetrieverSettings(), random.Random(0))
    by_text = {sentence_text(p, s): s for p in retriever.passages for s in retriever.sentences_of(p)}
    sentence_rows = [i for i, text in enumerate(rows["positive"]) if text in by_text]
    assert len(sentence_rows) >= 30 and len(rows["anchor"]) - len(sentence_rows) == 40
    facts = {retriever.normalise(p.question): p.key_facts for p in pairs}
    for i in sentence_rows:
        keys = facts[rows["anchor"][i]]
        assert all(contains_fact(by_text[rows["positive"][i]], k) for k in keys)
        assert rows["negative"][i] in by_text and not all(contains_fact(by_text[rows["negative"][i]], k) for k in keys)


def test_a_retriever_from_an_older_version_is_outdated():
    from hcmqa.retriever_training import RetrieverSettings, is_outdated

    today = RetrieverSettings(max_questions=240).to_dict()
    assert not is_outdated({"settings": today})
    older = {k: v for k, v in today.items() if k != "sentence_pairs"}
    assert is_outdated({"settings": older}) and is_outdated({})


def test_a_retriever_from_another_base_encoder_is_retrained():
    from hcmqa.retriever_training import RetrieverSettings, plan

    mpnet = RetrieverSettings(base_encoder="mpnet", train_dtype="bfloat16")
    minilm = RetrieverSettings(base_encoder="minilm", train_dtype="bfloat16")
    assert plan({"settings": minilm.to_dict()}, mpnet) == "train"
    assert plan({"settings": mpnet.to_dict()}, mpnet) in ("keep", "calibrate")
    # trained before the field existed (from MiniLM): retrained when mpnet is wanted
    older = {k: v for k, v in mpnet.to_dict().items() if k not in ("base_encoder", "train_dtype")}
    assert plan({"settings": older}, mpnet) == "train"


def test_a_retriever_without_sentence_context_is_recalibrated_not_retrained():
    from hcmqa.retriever_training import RetrieverSettings, plan

    wanted = RetrieverSettings()
    older = {k: v for k, v in wanted.to_dict().items() if k != "sentence_context"}
    assert plan({"settings": older}, wanted) == "calibrate"
    assert plan({"settings": {**older, "bi_epochs": 1}}, wanted) == "train"
