"""Prompt construction, shared by training and answering so the two never drift apart."""

from __future__ import annotations

from hcmqa.data.passages import Passage

SYSTEM_GROUNDED = "You answer visitors' questions about Ho Chi Minh's life in one or two short sentences, using only the numbered passages."
SYSTEM_CLOSED = "You answer visitors' questions about Ho Chi Minh's life in one or two short sentences."
REFUSAL_OFFTOPIC = "I'm sorry, I can only answer questions about the life of Ho Chi Minh."
REFUSAL_NO_SOURCE = "I'm sorry, I could not find that in the museum's sources, so I won't guess."


def build_messages(question: str, passages: list[Passage] | None, mode: str) -> list[dict]:
    """Chat messages for one question; grounded prompts list the passages, numbered."""
    if mode == "grounded":
        context = "\n".join(f"[{i}] {p.text}" for i, p in enumerate(passages or [], start=1))
        user = f"Passages:\n{context}\n\nQuestion: {question}"
        return [{"role": "system", "content": SYSTEM_GROUNDED}, {"role": "user", "content": user}]
    return [{"role": "system", "content": SYSTEM_CLOSED}, {"role": "user", "content": question}]


def render_prompt(tokenizer, messages: list[dict]) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
