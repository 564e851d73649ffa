"""Prompt construction, shared by training and answering so the two never drift apart."""

from __future__ import annotations

from hcmqa.data.passages import Passage

SYSTEM_GROUNDED = "You answer visitors' questions about Ho Chi Minh's life in one or two short sentences, using only the numbered passages."
SYSTEM_CLOSED = "You answer visitors' questions about Ho Chi Minh's life in one or two short sentences."
REFUSAL_OFFTOPIC = "I'm sorry, I can only answer questions about the life of Ho Chi Minh."
REFUSAL_NO_SOURCE = "I'm sorry, I could not find that in the museum's sources, so I won't guess."
# What a grounded reader is trained to answer when its passages do not hold the answer.
READER_DECLINE = "The passages do not say."


def build_messages(question: str, context: list[Passage | str] | None, mode: str) -> list[dict]:
    """Chat messages for one question; grounded prompts list the context, numbered by source.

    ``context`` holds one entry per cited source: a passage, or the text chosen from it (the
    focused sentences the answer path puts in front of the reader).
    """
    if mode == "grounded":
        texts = [c.text if isinstance(c, Passage) else c for c in (context or [])]
        numbered = "\n".join(f"[{i}] {t}" for i, t in enumerate(texts, start=1))
        user = f"Passages:\n{numbered}\n\nQuestion: {question}"
        return [{"role": "system", "content": SYSTEM_GROUNDED}, {"role": "user", "content": user}]
    return [{"role": "system", "content": SYSTEM_CLOSED}, {"role": "user", "content": question}]


def render_prompt(tokenizer, messages: list[dict]) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def extractive_answer(sentences) -> str:
    """The quoted source sentences with their citations: the answer when generation is not trusted.

    ``sentences`` are retrieval's :class:`~hcmqa.retrieval.Sentence` objects, best first.
    """
    return f"The museum's sources say: {_quotes(sentences)}"


# The answer when the evidence probably does not answer the question: a decline that still
# shows the visitor what the sources do say, so a near miss is not lost.
CLOSEST_PREFIX = "I could not find a direct answer to that in the museum's sources. The closest they come:"


def closest_answer(sentences) -> str:
    """Say the sources do not answer the question directly, and quote the closest sentences."""
    return f"{CLOSEST_PREFIX} {_quotes(sentences)}"


def is_closest(text: str) -> bool:
    """Whether an answer is the "closest the sources come" decline (an ``extracted`` answer)."""
    return (text or "").startswith(CLOSEST_PREFIX)


def _quotes(sentences) -> str:
    return " ".join(f"\u201c{s.text.strip()}\u201d [{s.source}]" for s in sentences)
