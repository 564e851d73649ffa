"""Chunk clean sections into passages: the unit of retrieval and of citation.

A passage is a run of whole sentences from one section, at most ``max_words`` long. Passages
are short on purpose: each one is pasted into a prompt, and on a CPU the prompt's length is
what an answer costs.

Passages follow paragraphs, which keep one subject together: a paragraph longer than
``max_words`` is cut into the fewest pieces that fit, as even in length as its sentences allow
(a 120-word paragraph gives two pieces of about 60 words, not 100 and 20), and consecutive
pieces of a section are joined while together they fit. So a passage starts at a paragraph or
near the middle of a long one, never in the last few sentences of a paragraph that the
passage before it began.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from hcmqa.data.documents import Document
from hcmqa.data.sentences import split_sentences


@dataclass(frozen=True)
class Passage:
    id: str
    doc: str
    title: str
    section: str
    text: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return slug or "section"


def chunk_document(doc: Document, doc_slug: str, max_words: int = 100, doc_name: str | None = None) -> list[Passage]:
    """Split a document's sections into passages of whole sentences, ids ``doc/section/n``.

    ``doc_name`` is what a passage records as its document (default: the document's path).
    """
    if max_words < 1:
        raise ValueError(f"max_words: must be at least 1, got {max_words}")
    passages: list[Passage] = []
    for section in doc.sections:
        pieces = [piece for p in section.paragraphs for piece in _paragraph_pieces(split_sentences(p), max_words)]
        joined: list[list[str]] = []
        for piece in pieces:
            if joined and _words(joined[-1]) + _words(piece) <= max_words:
                joined[-1] = joined[-1] + piece
            else:
                joined.append(piece)
        for n, sentences in enumerate(joined, 1):
            passages.append(
                Passage(
                    id=f"{doc_slug}/{slugify(section.title)}/{n}",
                    doc=doc_name or doc.path,
                    title=doc.title,
                    section=section.title,
                    text=" ".join(sentences),
                )
            )
    return passages


def _words(sentences: list[str]) -> int:
    return sum(len(s.split()) for s in sentences)


def _paragraph_pieces(sentences: list[str], max_words: int) -> list[list[str]]:
    """A paragraph's sentences as one piece, or cut into the fewest pieces of at most
    ``max_words`` (a longer sentence stands alone), each cut at the sentence break nearest to
    an even share of the paragraph."""
    total = _words(sentences)
    if total <= max_words:
        return [sentences] if sentences else []
    share = total / math.ceil(total / max_words)
    pieces: list[list[str]] = [[]]
    before = 0  # words of the paragraph before the sentence
    for sentence in sentences:
        words = len(sentence.split())
        # cut when the sentence would overflow the piece, or when its middle lies past the
        # next even cut point
        if pieces[-1] and (_words(pieces[-1]) + words > max_words or before + words / 2 > share * len(pieces)):
            pieces.append([])
        pieces[-1].append(sentence)
        before += words
    return pieces


def chunk_documents(docs: list[Document], root: Path | None = None, max_words: int = 100) -> list[Passage]:
    """Passages for every document; ids are unique across the set."""
    passages: list[Passage] = []
    seen: set[str] = set()
    for doc in docs:
        rel = Path(doc.path).relative_to(root) if root else Path(doc.path)
        slug = slugify(str(rel.with_suffix("")))
        if slug in seen:
            slug = f"{slug}-{len(seen)}"
        seen.add(slug)
        # the path inside the documents folder: an upload's staging folder is gone after the build
        passages.extend(chunk_document(doc, slug, max_words=max_words, doc_name=str(rel)))
    return passages


def write_passages(passages: list[Passage], path: Path) -> None:
    path.write_text("".join(p.to_json() + "\n" for p in passages), encoding="utf-8")


def read_passages(path: Path) -> list[Passage]:
    with path.open(encoding="utf-8") as fh:
        return [Passage(**json.loads(line)) for line in fh if line.strip()]
