"""Metrics on hand-checked examples."""

import pytest

from hcmqa.data.qa import QAPair
from hcmqa.evaluation import answer_metrics, corpus_bleu, exact_match, key_facts_present, normalize_answer, rouge_l, score_answers, token_f1


def test_squad_normalisation_and_exact_match():
    assert normalize_answer("The  Answer, is: Hanoi!") == "answer is hanoi"
    assert exact_match("The answer.", "answer") == 1.0
    assert exact_match("Hanoi", "Hue") == 0.0


def test_token_f1_by_hand():
    # pred: ho chi minh was born in 1890 (7 tokens)
    # ref: he was born in 1890 in nghe (7: SQuAD rules drop the article "an")
    # common: was, born, in, 1890 = 4 -> P 4/7, R 4/7, F1 4/7
    assert token_f1("Ho Chi Minh was born in 1890.", "He was born in 1890 in Nghe An.") == pytest.approx(4 / 7)
    # P 4/7, R 4/5 (ref: was born in 1890 hanoi) -> F1 = 2 * (16/35) / (48/35) = 2/3
    assert token_f1("Ho Chi Minh was born in 1890.", "Was born in 1890, Hanoi.") == pytest.approx(2 / 3)
    assert token_f1("", "") == 1.0
    assert token_f1("x", "") == 0.0
    assert token_f1("completely different", "words here") == 0.0


def test_key_facts_ignore_case_and_diacritics():
    assert key_facts_present("Ông sinh năm 1890 tại Nghệ An.", ("1890", "Nghe An")) == 1.0
    assert key_facts_present("He was born in 1890.", ("1890", "Nghe An")) == 0.0
    assert key_facts_present("anything", ()) is None


def test_bleu_and_rouge_extremes():
    bleu, signature = corpus_bleu(["he was born in 1890 in nghe an"], ["he was born in 1890 in nghe an"])
    assert bleu == pytest.approx(100.0)
    assert signature.startswith("nrefs:1|")
    assert corpus_bleu(["zzz qqq"], ["he was born in 1890"])[0] < 1.0
    assert rouge_l(["born in 1890"], ["born in 1890"]) == [pytest.approx(1.0)]
    # LCS "born 1890" of 2 tokens: P 2/2, R 2/4 -> F 2/3 (stemming, no stop words removed)
    assert rouge_l(["born 1890"], ["he born in 1890"])[0] == pytest.approx(2 / 3)


def test_score_answers_rows_and_aggregates():
    pairs = [QAPair("When?", "In 1890.", ("1890",)), QAPair("Where?", "Nghe An province.", ("Nghe An",))]
    report = score_answers(["He was born in 1890.", "In Hanoi."], pairs)
    assert report.aggregate["count"] == 2
    assert report.aggregate["key_fact_accuracy"] == 0.5
    assert [r["key_facts_present"] for r in report.rows] == [1.0, 0.0]
    assert set(report.aggregate) >= {"exact_match", "token_f1", "key_fact_accuracy", "bleu", "rouge_l"}
    assert answer_metrics(["In 1890.", "x"], pairs)["exact_match"] == 0.5


def test_an_answer_counts_as_unsupported_only_for_what_neither_a_source_nor_its_section_title_says():
    from hcmqa.answering import Answer
    from hcmqa.evaluation import evaluate

    source = {"id": "p1", "section": "His father Nguyen Sinh Sac", "text": "He died in 1929 in Cao Lanh."}
    planted = {
        "Where did his father die?": "On his father Nguyen Sinh Sac: \u201cHe died in 1929 in Cao Lanh.\u201d [1]",
        "When did his father die?": "Nguyen Sinh Sac died in Saigon in 1931.",
    }

    class Planted:
        def answer_batch(self, questions, progress=None):
            return [Answer(q, True, planted[q], sources=[source], path="extracted") for q in questions]

    pairs = [QAPair(q, "", ("1929",)) for q in planted]
    report = evaluate(Planted(), pairs)
    assert [sorted(row["unsupported"]) for row in report.rows] == [[], ["1931", "Saigon"]]
    assert report.aggregate["unsupported_answers"] == 1
