"""Gated, grounded answering: single questions, multi-turn chat, and FAQ batches.

Order of work for every question: the topic gate first (off-topic -> polite refusal, no
generation); then, in grounded mode, retrieval (nothing relevant -> refusal, not invention);
then generation with the passages in the prompt. Every answer carries its sources.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from hcmqa.config import ENGINES
from hcmqa.guard import MIN_COPIED_SHARE, claims, copied_share, repeated_phrase, restates, swapped_subject, unsupported_claims, unsupported_terms
from hcmqa.home import Home
from hcmqa.prompts import READER_DECLINE, build_messages, cited_reply, closest_answer, extractive_answer, render_prompt
from hcmqa.retrieval import Context, focused_context
from hcmqa.text import fold, question_key
from hcmqa.topic import TopicProfile, default_topic


ANSWER_PATHS = ("generated", "extracted", "refused_off_topic", "refused_no_source")


@dataclass
class Answer:
    question: str
    related: bool
    answer: str
    sources: list[dict] = field(default_factory=list)
    score: float = 0.0
    latency_ms: float = 0.0
    refused: str = ""  # "", "off_topic" or "no_source"
    resolved_question: str = ""
    # which path produced the answer: one of ANSWER_PATHS
    path: str = ""
    # claims of a generated answer that no cited passage supported (why the guard replaced it)
    unsupported: list[str] = field(default_factory=list)
    # the answerability model's probability that the sources answer the question (None: no model)
    answerable: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def resolve_followup(question: str, previous: list[Answer], known: Callable[[str], bool] | None = None, topic: TopicProfile | None = None) -> str:
    """Rewrite a follow-up ("when did he die?") against the conversation so far.

    When an earlier turn was on topic and this one refers to a person by pronoun only, the
    pronoun is taken to mean the conversation's subject. Questions that name the subject or
    follow only off-topic turns are left alone.

    A question asked on its own (no earlier turns) is asked of a museum about one subject:
    its pronoun means the subject too, unless it names someone the sources do not know
    (``known`` says whether a name occurs in them), who is then who the pronoun means.

    The subject's names and pronouns are the ``topic`` profile's (the bundled one when None):
    "When did she die?" for a profile whose pronouns are she / her / her / herself. The
    subject's initials are written out and its misspelt names corrected first ("HCM
    birthday?", "ho chi mihn father": ``TopicProfile.normalise_names``).
    """
    topic = topic or default_topic()
    question = topic.normalise_names(question)
    if topic.names_subject(question):
        return question
    if previous:
        if not any(turn.related for turn in previous):
            return question
    else:
        names = [c.text for c in claims(question) if c.kind == "name"]
        if known is None and names or known is not None and not all(known(n) for n in names):
            return question
    return topic.resolve_pronoun(question)


def quoted_sentences(ranked: list, n: int, tie_margin: float = 0.0) -> list:
    """The best ``n`` of ``ranked`` sentences (best first), and the next one when it scores within ``tie_margin`` of the last."""
    if 0 < n < len(ranked) and tie_margin > 0 and ranked[n - 1].score - ranked[n].score <= tie_margin:
        n += 1
    return list(ranked[:n])


def says_passages_are_silent(text: str) -> bool:
    """Whether a generated answer is the reader's trained decline ("The passages do not say.")."""
    return fold(text).strip(" .!") == fold(READER_DECLINE).strip(" .!") or fold(text).startswith("the passages do not")


class Assistant:
    """Gate + retriever + answerability + generator + faithfulness guard with one answering policy.

    Grounded answers go: gate -> retrieval -> focused context (the best ``focus_sentences``
    sentences of the hits) -> answerability -> generation -> guard. The dataset's
    answerability model (``hcmqa.answerability``) reads the question with its evidence and
    decides, before anything is generated: refuse (no-source refusal), say the sources do not
    answer it directly and quote the closest they come, or answer. An answer's generated reply
    is kept only when every number and name in it is in its cited passages and in the
    best-ranked sentence; it is then followed by its evidence, the best
    ``quote_sentences`` sentences quoted with their citations, and one more when it scores
    within ``quote_tie_margin`` of the last of them (retrieval cannot tell which of the two
    holds the answer). A reply that fails, or that says its passages are silent, is replaced
    by the sentences a "closest" answer quotes (``closest_sentences``), without its caveat.

    Without an answerability model (BM25-only datasets), retrieval's ``min_score`` decides
    what is relevant, and a reply that fails is quoted over when the best sentence scores at
    least ``min_sentence_score`` (``confident_sentence_score`` when the reply invented a claim
    no cited passage holds, or said its passages are silent), and refused otherwise.
    """

    def __init__(
        self,
        gate,
        retriever,
        generator,
        mode: str = "grounded",
        top_k: int = 3,
        description: str = "",
        focus_sentences: int = 3,
        guard: bool = True,
        min_sentence_score: float | None = None,
        allowed_names: tuple[str, ...] | None = None,
        agreement_sentences: int = 1,
        quote_sentences: int = 2,
        confident_sentence_score: float | None = None,
        answerability: bool = True,
        quote_tie_margin: float = 0.0,
        topic: TopicProfile | None = None,
        closest_sentences: int = 3,
        min_copied_share: float | None = None,
    ):
        if mode not in ("grounded", "closed_book"):
            raise ValueError(f"mode: must be grounded or closed_book, got {mode!r}")
        if closest_sentences < 1:
            raise ValueError(f"closest_sentences: must be at least 1, got {closest_sentences}")
        self.gate = gate
        self.retriever = retriever
        # what the assistant is about and what it says: its dataset's profile
        self.topic = topic or getattr(retriever, "topic", None) or default_topic()
        self.generator = generator
        self.mode = mode
        self.top_k = top_k
        self.description = description
        self.focus_sentences = focus_sentences
        self.guard = guard
        meta = getattr(retriever, "metadata", {}) or {}
        self.answerability = getattr(retriever, "answerability", None) if answerability else None
        # with an answerability model, the question was judged answerable before generation:
        # a reply that fails the guard is always quoted over
        floor = float("-inf") if self.answerability is not None else None
        self.min_sentence_score = (floor if floor is not None else meta.get("min_sentence_score", 0.0)) if min_sentence_score is None else min_sentence_score
        # above this, a sentence answers the question even when the reader says it does not
        self.confident_sentence_score = (floor if floor is not None else meta.get("confident_sentence_score", float("inf"))) if confident_sentence_score is None else confident_sentence_score
        self.agreement_sentences = agreement_sentences
        self.quote_sentences = quote_sentences
        self.quote_tie_margin = quote_tie_margin
        self.closest_sentences = closest_sentences
        self.min_copied_share = MIN_COPIED_SHARE if min_copied_share is None else min_copied_share
        if not 0.0 <= self.min_copied_share <= 1.0:
            raise ValueError(f"min_copied_share: must be between 0 and 1, got {self.min_copied_share}")
        self.allowed_names = tuple(allowed_names if allowed_names is not None else getattr(retriever, "subject_names", ()))
        # the words a source uses for the subject besides his names ("he", "his"; "she", "her")
        self.subject_pronouns = tuple(str(p).lower() for p in self.topic.pronouns.values())

    def contexts(self, queries: list[str]) -> list[Context | None]:
        """The focused context per query, or None when it should not be answered from the sources."""
        return [ctx if decision != "refuse" else None for ctx, decision, _ in self.evidence(queries)]

    def evidence(self, queries: list[str]) -> list[tuple[Context | None, str, float | None]]:
        """(focused context, decision, answerability probability) per query.

        The decision is ``answer``, ``closest`` (quote the closest the sources come, saying they
        do not answer it directly) or ``refuse``. Without an answerability model it is
        ``answer`` whenever retrieval finds something over its threshold.
        """
        model = self.answerability
        if model is None:
            hits = self.retriever.search_batch(queries, k=self.top_k)
        else:
            # the model judges relevance itself; a query with no terms left finds nothing
            hits = [h if self.retriever.has_terms(q) else [] for q, h in zip(queries, self.retriever.rank_batch(queries, k=self.top_k))]
        present = [i for i, h in enumerate(hits) if h]
        scored = self.retriever.focus_batch([queries[i] for i in present], [hits[i] for i in present])
        out: list[tuple[Context | None, str, float | None]] = [(None, "refuse", None)] * len(queries)
        probabilities = [None] * len(present)
        if model is not None and present:
            features = self.retriever.answerability_features([queries[i] for i in present], [hits[i] for i in present], scored)
            probabilities = [model.probability(x) for x in features]
        for i, sentences, p in zip(present, scored, probabilities):
            decision = "answer" if p is None else model.decide(p)
            out[i] = (focused_context(hits[i], sentences, self.focus_sentences), decision, p)
        return out

    def prompt(self, question: str, context: Context | None) -> str:
        texts = context.texts if context is not None else None
        return render_prompt(self.generator.tokenizer, build_messages(question, texts, self.mode, self.topic))

    def answer_batch(self, questions: list[str], progress: Callable[[int, int], None] | None = None, queries: list[str] | None = None) -> list[Answer]:
        """Answer a list; duplicates (same words ignoring case/accents/punctuation) are answered once.

        ``queries`` optionally gives, per question, the text to gate and retrieve with (chat
        uses it for resolved follow-ups); answers keep the question as asked.
        """
        queries = queries or [resolve_followup(q, [], known=self.retriever.knows, topic=self.topic) for q in questions]
        unique: dict[str, int] = {}
        for i, q in enumerate(queries):
            unique.setdefault(question_key(q), i)
        firsts = list(unique.values())
        gate_began = time.perf_counter()
        decisions = self.gate.classify([queries[i] for i in firsts])
        gate_ms = (time.perf_counter() - gate_began) * 1000 / max(1, len(firsts))
        answers: dict[int, Answer] = {}
        related = []
        for i, decision in zip(firsts, decisions):
            ans = Answer(questions[i], decision.related, "", [], decision.score, gate_ms, resolved_question=queries[i])
            answers[i] = ans
            if not decision.related:
                ans.answer, ans.refused, ans.path = self.topic.refusal_off_topic, "off_topic", "refused_off_topic"
            else:
                related.append(i)
        contexts: dict[int, Context | None] = {}
        decisions_of: dict[int, str] = {}
        if self.mode == "grounded" and related:
            began = time.perf_counter()
            for i, (ctx, decision, p) in zip(related, self.evidence([queries[i] for i in related])):
                contexts[i], decisions_of[i], answers[i].answerable = ctx, decision, (round(p, 4) if p is not None else None)
            share = (time.perf_counter() - began) * 1000 / len(related)
            for i in related:
                answers[i].latency_ms += share
        to_generate: list[tuple[int, str]] = []
        for i in related:
            ctx = contexts.get(i)
            if self.mode == "grounded" and (ctx is None or decisions_of.get(i) == "refuse"):
                answers[i].answer, answers[i].refused, answers[i].path = self.topic.refusal_no_source, "no_source", "refused_no_source"
                continue
            if ctx is not None:
                answers[i].sources = [h.as_source() for h in ctx.hits]
            if decisions_of.get(i) == "closest":
                # judged unlikely to be answered by the sources: say so, and quote what they do say
                answers[i].answer, answers[i].path = closest_answer(self._closest(ctx)), "extracted"
                continue
            to_generate.append((i, self.prompt(queries[i], ctx)))
        total = len(to_generate)

        def report(done: int, _total: int) -> None:
            if progress:
                progress(done, total)

        generated = self.generator.generate([p for _, p in to_generate], progress=report)
        for (i, _), gen in zip(to_generate, generated):
            answers[i].answer = gen.text
            answers[i].path = "generated"
            answers[i].latency_ms += gen.seconds * 1000
            if self.mode == "grounded" and says_passages_are_silent(gen.text):
                # the reader says its passages are silent: believe it unless retrieval is confident
                self._extract_or_refuse(answers[i], contexts[i], min_score=self.confident_sentence_score)
            elif self.guard and self.mode == "grounded":
                self._check(answers[i], contexts[i])
        result = []
        for i, q in enumerate(queries):
            first = answers[unique[question_key(q)]]
            result.append(first if i == unique[question_key(q)] else Answer(**{**first.to_dict(), "question": questions[i], "latency_ms": 0.0}))
        if progress and total == 0:
            progress(0, 0)
        for ans in result:
            ans.latency_ms = round(ans.latency_ms, 1)
        return result

    def _check(self, answer: Answer, context: Context) -> None:
        """The faithfulness guard: keep, quote the best source sentences instead, or refuse.

        A generated answer is kept only when every number and name in it occurs in the cited
        passages *and* in the sentence retrieval ranks best for the question (the first
        ``agreement_sentences``): a small reader that copies a date from the wrong sentence,
        or joins a name from one sentence to an event of another ("arrested in Singapore" when
        the best sentence says Kowloon and another names Singapore), is faithful to its
        sources yet wrong. It must also use no content word that neither its cited passages
        (and their section titles) nor the question use: "His father was a lawyer" about a
        passage that calls him a scholar has no wrong name or number, yet is wrong. Nor may it
        say the same three words twice (``hcmqa.guard.repeated_phrase``): "helped the cooks,
        but he also helped the cooks" loops, and "in 1958 X signed a biography, and in 1947 Y
        signed a biography" pastes one phrase onto two subjects. At least ``min_copied_share``
        of its words must follow one of the sentences its reader was given in that sentence's
        order (``hcmqa.guard.copied_share``), and it may not name the subject where that
        sentence names someone else (``hcmqa.guard.swapped_subject``). Its quoted evidence is
        kept either way. A kept reply that says all of one quoted sentence
        (``hcmqa.guard.restates``) carries that sentence's citation, and the next best sentence
        is quoted in its place; where that sentence needs its section to say whom it is about
        (``Sentence.about``), the sentences are quoted instead of the reply.
        """
        sources = [h.passage.text for h in context.hits]
        missing = unsupported_claims(answer.answer, sources, allowed=self.allowed_names)
        quoted = self._evidence(context)
        best = [s.text for s in context.sentences[: self.agreement_sentences]]
        disagree = [] if missing else unsupported_claims(answer.answer, best, allowed=self.allowed_names)
        # words of its own (not only numbers and names): the reply says what its sources do not
        asked = answer.resolved_question or answer.question
        novel = [] if missing or disagree else unsupported_terms(answer.answer, sources + [h.passage.section for h in context.hits], asked, self.allowed_names)
        # a reply that loops, or pastes one phrase onto two subjects, reads as nonsense
        repeated = "" if missing or disagree or novel else repeated_phrase(answer.answer, self.allowed_names)
        # a reply that strays from every sentence it was given has moved their words about;
        # one that names the subject where its sentence names another gave him their deed
        given = self._given(context)
        failed = bool(missing or disagree or novel or repeated)
        failed = failed or copied_share(answer.answer, given, asked, self.allowed_names, self.subject_pronouns) < self.min_copied_share
        failed = failed or bool(swapped_subject(answer.answer, given, self.allowed_names, self.subject_pronouns))
        if not failed and answer.answer.strip():
            if quoted and context.sentences[0].score >= self.min_sentence_score:
                reply = answer.answer.strip()
                # a reply that says all of a quoted sentence is cited to it, and the next
                # sentence is quoted in its place, so that the answer does not say it twice
                said = next((s for s in quoted if restates(reply, s.text, asked, self.allowed_names, self.subject_pronouns)), None)
                if said is not None and said.about:
                    # its pronoun may be someone else's: quoted, it says whose (``Sentence.about``)
                    answer.answer, answer.path = extractive_answer(self._closest(context)), "extracted"
                elif said is None:
                    answer.answer = f"{reply} {extractive_answer(quoted)}"
                else:
                    answer.answer = cited_reply(reply, said.source, [s for s in context.sentences if s is not said][: len(quoted)])
            return
        answer.unsupported = [c.text for c in missing]
        # A reply that invents a number or name suggests the sources do not hold the answer:
        # quote them only when retrieval is confident. One that copied from the wrong sentence
        # is quoted at the usual threshold.
        self._extract_or_refuse(answer, context, min_score=self.confident_sentence_score if missing else None)

    def _given(self, context: Context) -> list[str]:
        """The sentences the reader was given: the context's best ``focus_sentences`` (all of them unfocused)."""
        return [s.text for s in (context.sentences[: self.focus_sentences] if self.focus_sentences > 0 else context.sentences)]

    def _evidence(self, context: Context) -> list:
        """The sentences quoted as an answer's evidence.

        The best ``quote_sentences`` of its context, and the next one too when it scores within
        ``quote_tie_margin`` of the last of them.
        """
        return quoted_sentences(context.sentences, self.quote_sentences, self.quote_tie_margin)

    def _closest(self, context: Context) -> list:
        """The sentences quoted when the sources do not answer directly: the best ``closest_sentences`` (one more within ``quote_tie_margin``).

        More than an answer's evidence: the question was judged unlikely to be answered by
        any one sentence, so the visitor is shown the few that come closest.
        """
        return quoted_sentences(context.sentences, self.closest_sentences, self.quote_tie_margin)

    def _extract_or_refuse(self, answer: Answer, context: Context, min_score: float | None = None) -> None:
        """Quote the best sentences, or refuse when even the best scores under the threshold.

        The reader's reply could not be kept, so the visitor is shown what a "closest the
        sources come" answer shows: the best ``closest_sentences`` (one more within
        ``quote_tie_margin``), not only an answer's evidence.
        """
        threshold = self.min_sentence_score if min_score is None else min_score
        ranked = context.sentences
        if ranked and ranked[0].score >= threshold:
            answer.answer, answer.path = extractive_answer(self._closest(context)), "extracted"
        else:
            answer.answer, answer.refused, answer.path = self.topic.refusal_no_source, "no_source", "refused_no_source"

    def ask(self, question: str) -> Answer:
        return self.answer_batch([question])[0]

    def chat_turn(self, previous: list[Answer], question: str) -> Answer:
        """Answer the next turn of a conversation, resolving follow-up pronouns first."""
        resolved = resolve_followup(question, previous, known=self.retriever.knows, topic=self.topic)
        return self.answer_batch([question], queries=[resolved])[0]


def load_assistant(
    run_dir: Path | None,
    home: Path,
    dataset_dir: Path | None = None,
    gate_dir: Path | None = None,
    mode: str | None = None,
    base_model: str | None = None,
    batch_size: int | None = None,
    dtype: str = "auto",
    engine: str = "transformers",
    top_k: int | None = None,
    focus_sentences: int | None = None,
    guard: bool = True,
    quote_sentences: int | None = None,
    quote_tie_margin: float | None = None,
) -> Assistant:
    """An assistant for a trained trial (``run_dir``) or for the base model (``run_dir=None``).

    A dataset whose trained retriever holds an answerability model fitted by an older version
    (``hcmqa.answerability.MODEL_VERSION``) is recalibrated first, in about a minute, and says
    so on stderr: without it every question would be answered on retrieval's threshold alone.
    Nothing is retrained here: a retriever an older version trained is used as it is.

    ``engine`` ``openvino`` generates through OpenVINO GenAI (``hcmqa.ov_engine``), exporting
    the trial or base model on first use; ``batch_size`` defaults to 32 prompts with
    transformers and 256 with OpenVINO.
    """
    from hcmqa.config import TrialConfig
    from hcmqa.gate import GateClassifier, gate_data_from_dataset, gate_dir_for
    from hcmqa.generation import load_generator
    from hcmqa.models import resolve_model
    from hcmqa.retrieval import RETRIEVER_DIR, Retriever

    if engine not in ENGINES:
        raise ValueError(f"engine: one of {', '.join(ENGINES)}, got {engine!r}")
    adapter = None
    if run_dir is not None:
        manifest_path = Path(run_dir) / "manifest.json"
        if not manifest_path.is_file():
            raise FileNotFoundError(f"{run_dir}: not a trial run directory (no manifest.json); train one with 'hcmqa train'")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        config = TrialConfig.from_dict(manifest["config"])
        adapter = Path(run_dir) / "adapter"
        if not (adapter / "adapter_config.json").is_file():
            raise FileNotFoundError(f"{run_dir}: the trial has no trained adapter (status {manifest.get('status')!r})")
        dataset_dir = dataset_dir or Path(manifest["dataset"]["path"])
        description = f"{config.name} ({config.mode}, {config.base_model} + LoRA)"
    else:
        config = TrialConfig(base_model=base_model or TrialConfig.base_model, mode=mode or "grounded")
        description = f"base {config.base_model} ({mode or config.mode})"
    if dataset_dir is None:
        dataset_dir = Home(home).latest_dataset()
    if (Path(dataset_dir) / RETRIEVER_DIR / "retriever.json").is_file():
        from hcmqa.retriever_training import ensure_retriever

        ensure_retriever(Path(dataset_dir), progress=lambda msg: print(msg, file=sys.stderr, flush=True), train=False)
    gate_dir = gate_dir or gate_dir_for(home, dataset_dir)
    try:
        gate = GateClassifier.load(gate_dir)
    except FileNotFoundError:
        data = gate_data_from_dataset(dataset_dir)
        gate = GateClassifier.fit(data)
        gate.metadata["dataset"] = str(dataset_dir)
        gate.save(gate_dir)
    model_path = resolve_model(config.base_model, home)
    if engine == "openvino":
        from hcmqa.ov_engine import load_openvino_generator

        generator = load_openvino_generator(
            model_path, str(adapter) if adapter else None, run_dir, max_new_tokens=config.max_new_tokens, batch_size=batch_size or 256, dtype=dtype,
            progress=lambda msg: print(msg, file=sys.stderr, flush=True),
        )
    else:
        generator = load_generator(model_path, str(adapter) if adapter else None, max_new_tokens=config.max_new_tokens, batch_size=batch_size or 32, dtype=dtype)
    return Assistant(
        gate,
        Retriever.from_dataset(dataset_dir),
        generator,
        mode=mode or config.mode,
        top_k=top_k or config.top_k,
        description=f"{description}, {generator.dtype}" + (", OpenVINO" if engine == "openvino" else ""),
        focus_sentences=config.focus_sentences if focus_sentences is None else focus_sentences,
        guard=guard,
        quote_sentences=config.quote_sentences if quote_sentences is None else quote_sentences,
        quote_tie_margin=config.quote_tie_margin if quote_tie_margin is None else quote_tie_margin,
        closest_sentences=config.closest_sentences,
    )
