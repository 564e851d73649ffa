"""Evaluation of *generated* answers, plus the academic project's metric, clearly labelled.

- exact_match, token_f1: SQuAD rules (lower case, no punctuation, no articles, single spaces);
- key_fact_accuracy: every key fact of the question is in the answer (case and Vietnamese
  diacritics ignored);
- bleu: sacreBLEU corpus BLEU on generated answers, 0-100, reported with its signature;
- rouge_l: ROUGE-L F-measure (rouge-score), 0-1;
- academic_teacher_forced_bleu: what the academic project reported: NLTK sentence BLEU of the
  argmax token at each position *given the gold answer so far* (teacher forcing). It measures
  next-token agreement, not answering, and is kept only so our numbers can be set beside its
  table.
"""

from __future__ import annotations

import collections
import re
import string
import time
from dataclasses import asdict, dataclass, field

from hcmqa.data.qa import QAPair
from hcmqa.guard import unsupported_claims
from hcmqa.prompts import is_closest
from hcmqa.text import contains_fact

_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize_answer(text: str) -> str:
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str, reference: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(reference))


def token_f1(prediction: str, reference: str) -> float:
    pred, ref = normalize_answer(prediction).split(), normalize_answer(reference).split()
    if not pred or not ref:
        return float(pred == ref)
    common = collections.Counter(pred) & collections.Counter(ref)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)


def key_facts_present(prediction: str, facts: tuple[str, ...]) -> float | None:
    """1.0 if all key facts are present, 0.0 if not, None when the question has none."""
    if not facts:
        return None
    return float(all(contains_fact(prediction, f) for f in facts))


def corpus_bleu(predictions: list[str], references: list[str]) -> tuple[float, str]:
    import sacrebleu

    metric = sacrebleu.metrics.BLEU()
    score = metric.corpus_score(predictions, [references])
    return float(score.score), str(metric.get_signature())


def rouge_l(predictions: list[str], references: list[str]) -> list[float]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    return [scorer.score(ref, pred)["rougeL"].fmeasure for pred, ref in zip(predictions, references)]


def answer_metrics(predictions: list[str], pairs: list[QAPair]) -> dict[str, float]:
    """Aggregate EM / token F1 / key-fact accuracy over a list (used at each training eval)."""
    if not pairs:
        return {}
    ems = [exact_match(p, q.answer) for p, q in zip(predictions, pairs)]
    f1s = [token_f1(p, q.answer) for p, q in zip(predictions, pairs)]
    kfs = [k for k in (key_facts_present(p, q.key_facts) for p, q in zip(predictions, pairs)) if k is not None]
    out = {"exact_match": sum(ems) / len(ems), "token_f1": sum(f1s) / len(f1s)}
    if kfs:
        out["key_fact_accuracy"] = sum(kfs) / len(kfs)
    return out


@dataclass
class EvalReport:
    aggregate: dict
    rows: list[dict] = field(default_factory=list)
    bleu_signature: str = ""
    description: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def score_answers(predictions: list[str], pairs: list[QAPair], extra: list[dict] | None = None) -> EvalReport:
    """Per-question rows and aggregates for generated ``predictions`` against ``pairs``."""
    refs = [p.answer for p in pairs]
    bleu, signature = corpus_bleu(predictions, refs) if pairs else (0.0, "")
    rouges = rouge_l(predictions, refs) if pairs else []
    rows = []
    for i, (pred, pair) in enumerate(zip(predictions, pairs)):
        row = {
            "question": pair.question,
            "reference": pair.answer,
            "prediction": pred,
            "key_facts": list(pair.key_facts),
            "exact_match": exact_match(pred, pair.answer),
            "token_f1": round(token_f1(pred, pair.answer), 4),
            "key_facts_present": key_facts_present(pred, pair.key_facts),
            "rouge_l": round(rouges[i], 4),
        }
        if extra:
            row.update(extra[i])
        rows.append(row)
    n = max(1, len(rows))
    with_facts = [r["key_facts_present"] for r in rows if r["key_facts_present"] is not None]
    aggregate = {
        "count": len(rows),
        "exact_match": sum(r["exact_match"] for r in rows) / n,
        "token_f1": sum(r["token_f1"] for r in rows) / n,
        "key_fact_accuracy": (sum(with_facts) / len(with_facts)) if with_facts else None,
        "bleu": bleu,
        "rouge_l": sum(r["rouge_l"] for r in rows) / n,
    }
    return EvalReport(aggregate, rows, signature)


def evaluate(assistant, pairs: list[QAPair], progress=None) -> EvalReport:
    """Answer every question through the full path (gate, retrieval, generation) and score it.

    A question the gate refuses counts as answered with the refusal text: an honest score
    includes the gate's mistakes.
    """
    began = time.perf_counter()
    answers = assistant.answer_batch([p.question for p in pairs], progress=progress)
    seconds = time.perf_counter() - began
    allowed = tuple(getattr(assistant, "allowed_names", ()) or ())
    extra = []
    for a in answers:
        # a source is its text and its section title (a quote may be shown after its title)
        unsupported = [] if a.refused else [c.text for c in unsupported_claims(a.answer, [f"{s.get('section', '')}. {s['text']}" for s in a.sources], allowed=allowed)]
        extra.append({"related": a.related, "refused": a.refused, "path": a.path, "closest": is_closest(a.answer), "answerable": a.answerable, "sources": [s["id"] for s in a.sources], "latency_ms": a.latency_ms, "unsupported": unsupported, "guard_caught": list(a.unsupported)})
    report = score_answers([a.answer for a in answers], pairs, extra)
    n = max(1, len(answers))
    report.aggregate["refused"] = sum(1 for a in answers if a.refused)
    report.aggregate["paths"] = {path: sum(1 for a in answers if a.path == path) / n for path in ("generated", "extracted", "refused_off_topic", "refused_no_source")}
    # extracted answers that say the sources do not answer directly, quoting the closest they come
    report.aggregate["closest"] = sum(1 for a in answers if is_closest(a.answer)) / n
    # answers that state a number or name found in none of their sources (0 is the target)
    report.aggregate["unsupported_answers"] = sum(1 for e in extra if e["unsupported"])
    report.aggregate["questions_per_second"] = len(answers) / max(seconds, 1e-9)
    report.description = getattr(assistant, "description", "")
    return report


def teacher_forced_bleu(model, tokenizer, prompts: list[str], answers: list[str], batch_size: int = 8) -> float:
    """The academic project's metric: mean NLTK sentence BLEU of teacher-forced argmax tokens.

    For each example the model sees prompt + gold answer; at every answer position we take
    the argmax of its next-token distribution, decode those tokens and compare them with the
    gold answer, whitespace-tokenised, as the academic project did. This flatters a model (each
    position gets the gold prefix for free) and is *not* a measure of generated answers.
    """
    import torch
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    smooth = SmoothingFunction().method1
    scores = []
    device = next(model.parameters()).device
    model.eval()
    for start in range(0, len(prompts), batch_size):
        chunk = list(zip(prompts[start : start + batch_size], answers[start : start + batch_size]))
        for prompt, answer in chunk:
            p_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
            a_ids = tokenizer(answer, add_special_tokens=False)["input_ids"]
            ids = torch.tensor([p_ids + a_ids], device=device)
            with torch.inference_mode():
                logits = model(input_ids=ids).logits[0]
            # logits at position t predict token t+1: the answer's tokens are predicted from
            # positions len(p)-1 ... len(p)+len(a)-2
            pred = logits[len(p_ids) - 1 : len(p_ids) + len(a_ids) - 1].argmax(-1).tolist()
            decoded = tokenizer.decode(pred, skip_special_tokens=True)
            scores.append(sentence_bleu([answer.split()], decoded.split(), smoothing_function=smooth))
    return sum(scores) / max(1, len(scores))


_DECLINE_RE = re.compile(
    r"\b(could not find|couldn't find|can ?not find|not (?:in|covered by|recorded in|mentioned in) (?:the|my|our|its) (?:museum's )?sources"
    r"|(?:the|my|our) sources (?:do not|don't|say nothing)|i (?:do not|don't) know|no record)\b",
    re.I,
)


def is_declined(answer) -> bool:
    """A refusal, or a generated answer that itself says the sources do not cover the question."""
    return answer.path in ("refused_no_source", "refused_off_topic") or bool(_DECLINE_RE.search(answer.answer or ""))


def evaluate_declines(assistant, questions: list[str], progress=None) -> dict:
    """Share of questions the corpus cannot answer that the assistant declines (higher is better)."""
    answers = assistant.answer_batch(questions, progress=progress)
    rows = [{"question": a.question, "answer": a.answer, "path": a.path, "declined": is_declined(a), "closest": is_closest(a.answer), "answerable": a.answerable, "sources": [s["id"] for s in a.sources]} for a in answers]
    paths = collections.Counter(a.path for a in answers)
    n = max(1, len(rows))
    return {
        "count": len(rows),
        "declined": sum(r["declined"] for r in rows) / n,
        # refusals alone, without the "closest the sources come" answers
        "refused": sum(1 for a in answers if a.path.startswith("refused")) / n,
        "closest": sum(r["closest"] for r in rows) / n,
        "paths": dict(paths),
        "rows": rows,
    }
