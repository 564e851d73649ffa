"""Prompt construction, shared by training and answering so the two never drift apart."""

from __future__ import annotations

from hcmqa.data.passages import Passage
from hcmqa.topic import TopicProfile, default_topic

# The bundled topic's refusals; an assistant speaks its own dataset's (``hcmqa.topic``).
REFUSAL_OFFTOPIC = default_topic().refusal_off_topic
REFUSAL_NO_SOURCE = default_topic().refusal_no_source
# What a grounded reader is trained to answer when its passages do not hold the answer.
READER_DECLINE = "The passages do not say."


def build_messages(question: str, context: list[Passage | str] | None, mode: str, topic: TopicProfile | None = None) -> list[dict]:
    """Chat messages for one question; grounded prompts list the context, numbered by source.

    ``context`` holds one entry per cited source: a passage, or the text chosen from it (the
    focused sentences the answer path puts in front of the reader). The system prompt is the
    ``topic``'s (the bundled profile's when None): training and answering pass the same one,
    the profile of the dataset.
    """
    topic = topic or default_topic()
    if mode == "grounded":
        texts = [c.text if isinstance(c, Passage) else c for c in (context or [])]
        numbered = "\n".join(f"[{i}] {t}" for i, t in enumerate(texts, start=1))
        user = f"Passages:\n{numbered}\n\nQuestion: {question}"
        return [{"role": "system", "content": topic.system_grounded}, {"role": "user", "content": user}]
    return [{"role": "system", "content": topic.system_closed}, {"role": "user", "content": question}]


def render_prompt(tokenizer, messages: list[dict]) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def extractive_answer(sentences) -> str:
    """The quoted source sentences with their citations: the answer when generation is not trusted.

    ``sentences`` are retrieval's :class:`~hcmqa.retrieval.Sentence` objects, best first.
    """
    return f"The museum's sources say: {_quotes(sentences)}"


def cited_reply(reply: str, source: int, sentences) -> str:
    """A kept reply that says all of one source sentence, cited to it, then the other ``sentences`` quoted.

    Quoting the sentence the reply restates would say it twice; the reply carries its citation
    instead, and the quotes add what it does not say.
    """
    text = f"{reply} [{source}]"
    return f"{text} The museum's sources also say: {_quotes(sentences)}" if sentences else text


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
    """Each sentence in quotation marks with its citation, after its section's title where the
    sentence alone would not say whom it is about (``Sentence.about``), and after the sentence
    before it where it points back to that one (``Sentence.lead``), unless that one is quoted too."""
    quoted = {(s.source, s.text.strip()) for s in sentences}
    return " ".join(f"{_label(s)}\u201c{_with_lead(s, quoted)}\u201d [{s.source}]" for s in sentences)


def _with_lead(sentence, quoted: set) -> str:
    lead = sentence.lead.strip()
    text = sentence.text.strip()
    return f"{lead} {text}" if lead and (sentence.source, lead) not in quoted else text


_LOWER_FIRST = frozenset("his her their its the a an".split())


def _label(sentence) -> str:
    """ "On his father Nguyen Sinh Sac: " before a sentence whose section says whom it is about."""
    about = sentence.about
    if not about:
        return ""
    first, _, rest = about.partition(" ")
    if first.lower() in _LOWER_FIRST:
        about = f"{first.lower()} {rest}".strip()
    return f"On {about}: "
