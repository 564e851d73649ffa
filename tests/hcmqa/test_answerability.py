"""The answerability model: its features, its fit, and the three answers it chooses between."""

import csv
import math
import re

import pytest

from hcmqa.answerability import FEATURES, MODEL_VERSION, AnswerabilityModel, fit
from hcmqa.data.build import build_dataset
from hcmqa.data.qa import UNANSWERABLE_FILE, ValidationError, read_unanswerable
from hcmqa.evaluation import is_declined
from hcmqa.prompts import CLOSEST_PREFIX, READER_DECLINE, REFUSAL_NO_SOURCE
from hcmqa.retrieval import Passage, Retriever
from hcmqa.retriever_training import RetrieverSettings, plan

from tests.hcmqa.test_guard import PASSAGES, _Gate, _PlantedGenerator


def _features(retriever, question):
    hits = retriever.rank_batch([question], k=2)
    sentences = retriever.focus_batch([question], hits)
    return dict(zip(FEATURES, retriever.answerability_features([question], hits, sentences)[0]))


def test_features_count_the_words_and_names_the_corpus_never_uses():
    retriever = Retriever(PASSAGES)
    answerable = _features(retriever, "Where did Ho Chi Minh read the Declaration of Independence?")
    assert answerable["unknown_words"] == 0 and answerable["unknown_names"] == 0 and answerable["asked_names_missing"] == 0
    assert answerable["passage_coverage"] == 1.0
    unknown = _features(retriever, "What was Ho Chi Minh's blood type when he visited Brazil?")
    assert unknown["unknown_names"] == 1  # Brazil; the subject's own names never count
    assert unknown["unknown_words"] >= 3  # blood, type, visited, brazil
    assert unknown["passage_coverage"] < answerable["passage_coverage"]
    # what a "how many" question asks about must be in the evidence
    asked = _features(retriever, "How many newspapers did he write for in Paris?")
    missing = _features(retriever, "How many pounds did he earn in Paris?")
    assert asked["focus_in_passages"] == 1.0 and missing["focus_in_passages"] == 0.0
    # "how many" wants a count; the best sentences about Paris give none (and a year is no count)
    assert missing["answer_missing"] == 1.0
    assert _features(retriever, "How old was he when he died in Hanoi?")["answer_missing"] == 0.0  # "aged 79"
    assert answerable["answer_missing"] == 0.0
    assert answerable["asks_why"] == 0.0 and _features(retriever, "Why did he read it in Hanoi?")["asks_why"] == 1.0


def _one_topic(*texts):
    """A retriever over one passage of ``texts`` and one that says nothing: its best two sentences are the passage's."""
    return Retriever([Passage("t/one/1", "t.md", "Life", "Life", " ".join(texts)), Passage("t/other/1", "t.md", "Other", "Other", "The garden was quiet and green.")])


def test_a_question_asking_when_who_or_where_needs_a_date_a_name_or_a_place_in_its_best_sentences():
    def missing(retriever, question):
        return _features(retriever, question)["answer_missing"]

    stilt = _one_topic("In May 1958 he moved into the stilt house built for him in the gardens.", "He kept a small library in the stilt house.")
    # a year answers "when", but "what day" wants a day of the month, and the question's own month and year are no answer
    assert missing(stilt, "When did he move into the stilt house?") == 0.0
    assert missing(stilt, "On what day did he move into the stilt house?") == 1.0
    assert missing(stilt, "On what day in May 1958 did he move into the stilt house?") == 1.0
    assert missing(_one_topic("On 17 May 1958 he moved into the stilt house.", "He kept a small library in the stilt house."), "On what day did he move into the stilt house?") == 0.0
    # "when" inside a question that asks how long is no "when" question
    assert missing(stilt, "Which room did he use for reading when he lived in the stilt house?") == 0.0
    # "who" wants a name that the question does not already use; "who was X?" asks what X was
    scholar = _one_topic("His father was a scholar who passed the examinations.", "His father later served as a district magistrate.")
    assert missing(scholar, "Who was his father?") == 1.0
    assert missing(scholar, "Who was Ho Chi Minh's father?") == 1.0
    assert missing(_one_topic("His father was Nguyen Sinh Sac, a scholar.", "His father passed the examinations."), "Who was his father?") == 0.0
    assert missing(_one_topic("Nguyen Sinh Sac was a scholar.", "Nguyen Sinh Sac passed the examinations."), "Who was Nguyen Sinh Sac?") == 0.0
    # "where" wants a place; a nationality names one ("Which country's experts ...")
    assert missing(_one_topic("He was born in a small village.", "The village was poor."), "Where was he born?") == 1.0
    assert missing(_one_topic("He was born in Kim Lien village.", "The village was poor."), "Where was he born?") == 0.0
    soviet = _one_topic("The body was preserved by Soviet specialists.", "The body lies in the hall.")
    assert missing(soviet, "Which country's experts preserved the body?") == 0.0
    assert missing(soviet, "Who preserved the body?") == 1.0  # a nationality names no one


def test_a_name_the_subject_bore_in_part_of_his_life_is_no_name_the_evidence_lacks():
    # the Paris passage calls him "he"; "Nguyen Ai Quoc" is the name he used there
    retriever = Retriever(PASSAGES)
    assert "Nguyen Ai Quoc" in retriever.topic.all_names
    for question in ("What did Nguyen Ai Quoc do in Paris?", "What was Nguyễn Ái Quốc's work in Paris?", "What did he do in Paris?"):
        asked = _features(retriever, question)
        assert asked["asked_names_missing"] == 0 and asked["unknown_names"] == 0, question
    # a name that is someone else's still counts when the evidence lacks it
    assert _features(retriever, "What did Phan Chau Trinh do in Paris?")["asked_names_missing"] == 3
    assert _features(retriever, "What did Nguyen Ai Quoc and Phan Chau Trinh do in Paris?")["asked_names_missing"] == 3


def test_a_capitalised_common_word_is_no_name_and_a_nationality_is_found_through_its_country():
    retriever = Retriever(PASSAGES)
    # the corpus writes "scholar" in lower case (his father was one): capitalised, it is still no
    # name, although the evidence (Paris, the voyage) lacks it
    question = "Did he leave Saigon for Paris as a Scholar?"
    assert not any("scholar" in hit.passage.text for hit in retriever.rank_batch([question], k=2)[0])
    assert _features(retriever, question)["asked_names_missing"] == 0
    # the voyage passage says "a French ship": a ship bound for France is in it, one for Spain is not
    assert _features(retriever, "When did he leave Saigon on a ship bound for France?")["asked_names_missing"] == 0
    assert _features(retriever, "When did he leave Saigon on a ship bound for Spain?")["asked_names_missing"] == 1
    # nor is a country the corpus never names an unknown name where it names the nationality
    assert "france" not in retriever.stats.words
    assert _features(retriever, "When did he leave Saigon on a ship bound for France?")["unknown_names"] == 0
    assert _features(retriever, "When did he leave Saigon on a ship bound for Spain?")["unknown_names"] == 1
    # and the other way round: a nationality whose country the evidence names
    assert _features(retriever, "Which Thai town did he live in?")["asked_names_missing"] == 1
    thailand = Retriever([*PASSAGES, Passage("d/siam/1", "d.md", "Abroad", "Exile", "In 1928 he lived among Vietnamese exiles in Thailand.")])
    assert _features(thailand, "Which Thai town did he live in?")["asked_names_missing"] == 0


def test_a_country_is_found_through_its_cities_but_a_city_not_through_its_country():
    london = Passage("d/london/1", "d.md", "Abroad", "London", "He worked in a hotel kitchen in London during the war.")
    retriever = Retriever([*PASSAGES, london])
    for question in ("When did he work in England?", "Did he work in a British hotel?", "Which hotel kitchen did he work in, in Britain?"):
        assert _features(retriever, question)["asked_names_missing"] == 0, question
    # a country with no city in the evidence is still missing, and so is a city the question
    # asks about where the evidence names only its country
    assert _features(retriever, "When did he work in Germany?")["asked_names_missing"] == 1
    england = Passage("d/london/1", "d.md", "Abroad", "England", "He worked in a hotel kitchen in England during the war.")
    assert _features(Retriever([*PASSAGES, england]), "When did he work in London?")["asked_names_missing"] == 1


def test_a_word_that_only_qualifies_what_is_asked_is_neither_its_focus_nor_its_content():
    birth = Passage("d/birth/1", "d.md", "Early life", "Birth", "At birth his parents gave him the name Nguyen Sinh Cung.")
    retriever = Retriever([*PASSAGES, birth])
    for question in ("What was Ho Chi Minh's real name?", "What was his actual name?", "What was the original name of Ho Chi Minh?"):
        asked = _features(retriever, question)
        # the evidence never says "real", "actual" or "original": it gives the name asked for
        assert asked["focus_in_sentences"] == 1.0 and asked["sentence_coverage"] == 1.0 and asked["max_missing_idf"] == 0.0, question
        assert asked["unknown_words"] == 0, question
    # a word that says what the question is about still counts
    assert _features(retriever, "What was his dog's name?")["sentence_coverage"] < 1.0
    assert _features(retriever, "What was his favourite food?")["focus_in_passages"] == 0.0


def test_a_name_is_found_part_by_part_in_the_corpus_terms():
    agreement = Passage("d/agreement/1", "d.md", "Return", "Agreement", "On 6 March 1946 he signed a preliminary agreement with Jean Sainteny.")
    pioneers = Passage("d/pioneers/1", "d.md", "Legacy", "Pioneers", "The Young Pioneer Organization took his name in 1970.")
    retriever = Retriever([*PASSAGES, agreement, pioneers])
    # a hyphenated name whose parts the corpus uses (his own name aside), and a plural of a name
    for question in ("On which date was the Ho-Sainteny agreement signed?", "When did the Young Pioneers take his name?"):
        asked = _features(retriever, question)
        assert asked["unknown_names"] == 0 and asked["asked_names_missing"] == 0, question
    # a part the corpus never uses still makes the name unknown
    assert _features(retriever, "On which date was the Ho-Bollaert agreement signed?")["unknown_names"] == 1
    assert _features(retriever, "Did Jean Sainteny meet him in Paris?")["unknown_names"] == 0
    assert _features(Retriever(PASSAGES), "When did the Young Pioneers take his name?")["unknown_names"] == 2


def test_in_a_question_all_in_capitals_or_title_case_a_capital_marks_no_name():
    retriever = Retriever(PASSAGES)
    # "Swim" is no word of the corpus in any form; written in capitals it is still no name
    for question in ("WHERE DID HO CHI MINH SWIM", "Where Did Ho Chi Minh Swim In Hanoi"):
        asked = _features(retriever, question)
        assert asked["asked_names_missing"] == 0 and asked["unknown_names"] == 0, question
    assert _features(retriever, "Where did Ho Chi Minh Swim?")["unknown_names"] == 1  # a capital among lower case
    # the words the corpus never uses are still counted as words
    assert _features(retriever, "WHEN DID HE LEAVE SAIGON FOR SPAIN")["unknown_words"] >= 1


def test_a_term_the_evidence_says_in_other_words_counts_as_far_as_the_bi_encoder_finds_them_alike():
    from hcmqa.encoders import encoder_dir
    from hcmqa.retrieval import DenseIndex

    lexical = Retriever(PASSAGES)
    dense = Retriever(PASSAGES, dense=DenseIndex(encoder_dir("minilm"), PASSAGES))
    # "His father was a scholar.": "dad" is not written there, but it is meant
    assert _features(lexical, "Who was his dad?")["sentence_coverage"] == 0.0
    dad = _features(dense, "Who was his dad?")
    assert dad["sentence_coverage"] >= 0.8 and dad["passage_coverage"] >= 0.8
    # nothing in the sources is close to "blood": it counts for far less
    blood = _features(dense, "What was his blood type?")
    assert blood["sentence_coverage"] <= 0.6 and blood["sentence_coverage"] < dad["sentence_coverage"] - 0.2
    # a term written in the evidence counts whole either way
    question = "Where did Ho Chi Minh read the Declaration of Independence?"
    assert _features(dense, question)["sentence_coverage"] == _features(lexical, question)["sentence_coverage"] == 1.0
    closest, unrelated = dense.dense.word_similarity(["dad", "dad"], ["father", "ship"]), dense.dense.word_similarity(["dad"], ["ship"])
    assert closest[0] == pytest.approx(closest[1]) and closest[0] > unrelated[0] + 0.3
    assert dense.dense.word_similarity([], ["ship"]) == [] and dense.dense.word_similarity(["dad"], []) == [0.0]


def test_sentence_gap_is_how_far_the_best_sentence_stands_above_the_fourth():
    from hcmqa.answerability import sentence_gap
    from hcmqa.retrieval import Sentence

    ranked = [Sentence(f"s{i}", 1, score) for i, score in enumerate((0.8, 0.5, 0.45, 0.3, 0.1))]
    assert sentence_gap(ranked) == pytest.approx(0.5)
    assert sentence_gap(ranked[:2]) == pytest.approx(0.3)  # fewer than four: the last one
    assert sentence_gap(ranked[:1]) == 0.0 and sentence_gap([]) == 0.0
    retriever = Retriever(PASSAGES)
    question = "Where did Ho Chi Minh read the Declaration of Independence?"
    hits = retriever.rank_batch([question], k=2)
    sentences = retriever.focus_batch([question], hits)[0]
    assert len(sentences) >= 4 and sentences[0].score > sentences[3].score
    assert _features(retriever, question)["sentence_gap"] == pytest.approx(sentence_gap(sentences))


def test_the_fit_separates_the_classes_and_takes_its_thresholds_from_cross_validation():
    # answerable questions have close evidence and no unknown words; unanswerable ones the reverse
    positives = [[0.6 + 0.01 * (i % 10), 0.1, 0.6, 0.9, 1.0, 0, 1.0, 4, 1, 1, 0, 0, 0, 0, 0.2, 0] for i in range(60)]
    negatives = [[0.3 + 0.01 * (i % 10), 0.05, 0.3, 0.4, 0.5, 1, 5.0, 5, 0, 0, 1, 1, 2, 1, 0.02, 1] for i in range(60)]
    model, rates = fit(positives, negatives, keep=0.95, confident_keep=0.85)
    assert model.probability(positives[0]) > 0.9 > 0.1 > model.probability(negatives[0])
    assert model.refuse <= model.confident
    assert rates["cv_answerable_refused"] <= 0.05 + 1e-9 and rates["cv_unanswerable_refused"] >= 0.9
    assert model.decide(model.probability(positives[0])) == "answer" and model.decide(model.probability(negatives[0])) == "refuse"
    again = AnswerabilityModel.from_dict(model.to_dict())
    assert again is not None and math.isclose(again.probability(positives[3]), model.probability(positives[3]), rel_tol=1e-4)
    # a model fitted on other features is not used
    assert AnswerabilityModel.from_dict({**model.to_dict(), "features": ["top_passage"]}) is None
    with pytest.raises(ValueError, match="at least 10"):
        fit(positives[:5], negatives)
    with pytest.raises(ValueError, match=r"negatives row 3: 14 features, expected 16"):
        fit(positives, negatives[:3] + [negatives[3][:14]] + negatives[4:])


def test_the_answer_threshold_rises_until_the_decline_target_of_real_unanswerable_questions_is_met():
    # answerable questions spread over a range of evidence scores; the real unanswerable ones
    # look like the weaker half of them, the made ones (answer removed) are far away
    positives = [[0.3 + 0.005 * i, 0.1, 0.3 + 0.005 * i, 0.9, 1.0, 0, 1.0, 4, 1, 1, 0, 0, 0, 0, 0.2, 0] for i in range(80)]
    made = [[0.1 + 0.002 * i, 0.02, 0.1, 0.3, 0.4, 1, 5.0, 5, 0, 0, 1, 1, 2, 1, 0.02, 1] for i in range(60)]
    real = [[0.3 + 0.004 * i, 0.1, 0.3 + 0.004 * i, 0.9, 1.0, 0, 1.0, 4, 1, 1, 0, 0, 0, 0, 0.2, 0] for i in range(40)]
    plain, plain_rates = fit(positives, made, confident_keep=0.85, unanswerable=real)
    strict, rates = fit(positives, made, confident_keep=0.85, unanswerable=real, decline=0.9)
    assert strict.confident > plain.confident and strict.refuse == plain.refuse
    assert rates["real_unanswerable"] == 40
    assert rates["cv_real_unanswerable_declined"] >= 0.9 > plain_rates["cv_real_unanswerable_declined"]
    # the price: fewer answerable questions answered outright (the rest get the closest sources)
    assert rates["cv_answerable_answered"] < plain_rates["cv_answerable_answered"]
    assert rates["cv_answerable_refused"] == plain_rates["cv_answerable_refused"]
    with pytest.raises(ValueError, match="decline_target"):
        fit(positives, made, unanswerable=real, decline=1.0)


def _model(refuse=0.1, confident=0.5):
    """A hand-set model that reads only ``unknown_words``: 0 -> answer, 1 -> closest, 2+ -> refuse."""
    coef = [0.0] * len(FEATURES)
    coef[FEATURES.index("unknown_words")] = -3.0
    return AnswerabilityModel(tuple([0.0] * len(FEATURES)), tuple([1.0] * len(FEATURES)), tuple(coef), 2.0, refuse, confident)


def _assistant(reply, **kw):
    from hcmqa.answering import Assistant

    retriever = Retriever(PASSAGES, metadata={"answerability": {"model": _model().to_dict()}})
    return Assistant(_Gate(), retriever, _PlantedGenerator(reply), top_k=2, **kw)


def test_the_answerability_model_answers_quotes_the_closest_sources_or_refuses():
    assistant = _assistant("He read it in Ba Dinh Square in Hanoi.")
    answered, closest, refused = assistant.answer_batch([
        "Where did Ho Chi Minh read the Declaration of Independence?",
        "Where did Ho Chi Minh read the Declaration of Independence aloud?",  # one word the corpus never uses
        "What blood type did Ho Chi Minh have in Hanoi?",  # several
    ])
    assert answered.path == "generated" and answered.answer.startswith("He read it in Ba Dinh Square") and answered.answerable > 0.5
    assert closest.path == "extracted" and closest.answer.startswith(CLOSEST_PREFIX) and 0.1 <= closest.answerable < 0.5
    assert "Ba Dinh Square" in closest.answer and closest.sources and is_declined(closest)
    assert refused.path == "refused_no_source" and refused.answer == REFUSAL_NO_SOURCE and refused.sources == []
    # only the question judged answerable reached the reader
    assert len(assistant.generator.prompts) == 1 and "aloud" not in assistant.generator.prompts[0]


def test_the_closest_the_sources_come_quotes_closest_sentences_of_them():
    question = "Where did Ho Chi Minh read the Declaration of Independence aloud?"  # judged "closest"
    quotes = {}
    for n in (1, 2, 3):
        answer = _assistant("unused", quote_sentences=1, closest_sentences=n).ask(question)
        assert answer.path == "extracted" and answer.answer.startswith(CLOSEST_PREFIX)
        quotes[n] = answer.answer.count("\u201c")
    # the best sentence first, then the next best, each with its citation; a generated
    # answer's evidence (quote_sentences) does not limit them
    assert quotes == {1: 1, 2: 2, 3: 3}
    three = _assistant("unused", closest_sentences=3).ask(question).answer
    assert three.index("Ba Dinh Square") < three.index("crowd cheered") and re.findall(r"\u201d \[(\d)\]", three)[:2] == ["1", "1"]


def test_with_a_model_the_readers_decline_is_quoted_over_not_believed():
    # the reader's "passages do not say" measured no better than chance; the model decides
    answer = _assistant(READER_DECLINE).ask("Where did Ho Chi Minh read the Declaration of Independence?")
    assert answer.path == "extracted" and "Ba Dinh Square" in answer.answer and not is_declined(answer)


def test_an_invented_claim_is_quoted_over_when_the_model_judged_the_question_answerable():
    answer = _assistant("He read it in Ba Dinh Square on 2 September 1954.").ask("Where did Ho Chi Minh read the Declaration of Independence?")
    assert answer.path == "extracted" and answer.unsupported == ["1954"] and "1954" not in answer.answer


def test_a_retriever_is_recalibrated_not_retrained_when_only_the_calibration_changed():
    settings = RetrieverSettings()
    trained = {"settings": settings.to_dict(), "answerability": {"model": {"features": list(FEATURES), "version": MODEL_VERSION}}}
    assert plan(trained, settings) == "keep"
    # the same feature names fitted when one of them meant something else, or fitted another way
    assert plan({**trained, "answerability": {"model": {"features": list(FEATURES), "version": MODEL_VERSION - 1}}}, settings) == "calibrate"
    assert plan({**trained, "answerability": {"model": {"features": list(FEATURES)}}}, settings) == "calibrate"  # stored before versions
    assert plan(None, settings) == "train"
    assert plan({**trained, "settings": {**settings.to_dict(), "answer_keep": 0.9}}, settings) == "calibrate"
    assert plan({"settings": settings.to_dict()}, settings) == "calibrate"  # no answerability model yet
    assert plan({**trained, "answerability": {"model": {"features": ["top_passage"]}}}, settings) == "calibrate"  # other features
    older = {k: v for k, v in settings.to_dict().items() if k not in ("answer_keep", "confident_keep")}
    assert plan({"settings": older}, settings) == "calibrate"
    assert plan({**trained, "settings": {**settings.to_dict(), "bi_epochs": 1}}, settings) == "train"


def test_the_dataset_keeps_its_unanswerable_questions_and_reports_bad_rows(tmp_path, fixtures_dir):
    good = tmp_path / "unanswerable.csv"
    with good.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["question", "kind"], ["What was his shoe size?", "no_record"], ["ho chi minh favourite colour", "no_record"]])
    built = build_dataset(docs_dir=fixtures_dir / "docs", qa_csv=fixtures_dir / "qa_good.csv", offtopic_csv=None, out_root=tmp_path / "out", name="fx", unanswerable_csv=good)
    assert built.manifest["counts"]["unanswerable"] == 2 and UNANSWERABLE_FILE in built.manifest["files"]
    assert read_unanswerable(built.path) == ["What was his shoe size?", "ho chi minh favourite colour"]
    # without one (and not the bundled QA set) the dataset has none
    plain = build_dataset(docs_dir=fixtures_dir / "docs", qa_csv=fixtures_dir / "qa_good.csv", offtopic_csv=None, out_root=tmp_path / "out", name="fx")
    assert plain.path != built.path and read_unanswerable(plain.path) == []
    bad = tmp_path / "bad.csv"
    bad.write_text("question\nWhat was his shoe size?\n\"\"\nwhat was his SHOE size\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        build_dataset(docs_dir=fixtures_dir / "docs", qa_csv=fixtures_dir / "qa_good.csv", offtopic_csv=None, out_root=tmp_path / "bad-out", unanswerable_csv=bad)
    assert any("bad.csv:4: duplicate question" in p for p in err.value.problems)
    assert not (tmp_path / "bad-out").exists() or list((tmp_path / "bad-out").iterdir()) == []


def test_the_refusal_threshold_weighs_the_whole_tail_not_one_order_statistic():
    from hcmqa.answerability import refuse_threshold

    # 300 probabilities: at keep 0.99 the plain 1% quantile reads the third and fourth lowest
    # alone, so it cannot tell a tail at 0.30 from one at 0.05; the threshold does
    bulk = [0.5] * 297
    high = refuse_threshold([0.01, 0.02, 0.30, *bulk], 0.99)
    low = refuse_threshold([0.01, 0.02, 0.05, *bulk], 0.99)
    assert 0.01 < low < high < 0.5
    # it is a quantile: every probability kept at keep 1.0, and the median at keep 0.5
    assert refuse_threshold([0.2, 0.4, 0.9], 1.0) == pytest.approx(0.2)
    assert refuse_threshold([0.1, 0.2, 0.3, 0.4, 0.5], 0.5) == pytest.approx(0.3)
    with pytest.raises(ValueError, match="answer_keep"):
        refuse_threshold([0.2, 0.4], 1.5)
    with pytest.raises(ValueError, match="no probabilities"):
        refuse_threshold([], 0.99)


def test_the_refusal_threshold_reaches_below_a_sample_too_small_to_hold_its_quantile():
    import numpy as np

    from hcmqa.answerability import refuse_threshold

    # 18 answerable questions cannot show where the lowest 1% lies: it is below the lowest of
    # them, so a question scoring a little under that one is not refused
    small = [0.26, 0.31, 0.42, 0.55, 0.61, 0.66, 0.7, 0.74, 0.78, 0.8, 0.83, 0.86, 0.88, 0.9, 0.92, 0.94, 0.96, 0.97]
    assert 0.0 < refuse_threshold(small, 0.99) < 0.2
    # the wider the spread of the sample, the further below it the threshold reaches
    tight = [0.5 + 0.01 * i for i in range(18)]
    assert 0.3 < refuse_threshold(tight, 0.99) < 0.5
    # with enough questions to hold the quantile, the estimate reads them alone, as before
    rng = np.random.default_rng(3)
    many = list(rng.uniform(0.3, 1.0, 400))
    assert refuse_threshold(many, 0.99) >= min(many)
    assert refuse_threshold(small, 0.9) >= min(small)  # 18 questions hold a 10% quantile
