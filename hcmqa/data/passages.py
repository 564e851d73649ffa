"""Chunk clean sections into passages: the unit of retrieval and of citation.

A passage is a run of whole sentences from one section, at most ``max_words`` long. Passages
are short on purpose: each one is pasted into a prompt, and on a CPU the prompt's length is
what an answer costs.
"""

from __future__ import annotations

import json
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


def chunk_document(doc: Document, doc_slug: str, max_words: int = 90, doc_name: str | None = None) -> list[Passage]:
    """Split a document's sections into passages of whole sentences, ids ``doc/section/n``.

    ``doc_name`` is what a passage records as its document (default: the document's path).
    """
    passages: list[Passage] = []
    for section in doc.sections:
        sentences = [s for p in section.paragraphs for s in split_sentences(p)]
        current: list[str] = []
        count = 0
        n = 0

        def emit() -> None:
            nonlocal n, current, count
            if current:
                n += 1
                passages.append(
                    Passage(
                        id=f"{doc_slug}/{slugify(section.title)}/{n}",
                        doc=doc_name or doc.path,
                        title=doc.title,
                        section=section.title,
                        text=" ".join(current),
                    )
                )
            current, count = [], 0

        for sentence in sentences:
            words = len(sentence.split())
            if current and count + words > max_words:
                emit()
            current.append(sentence)
            count += words
        emit()
    return passages


def chunk_documents(docs: list[Document], root: Path | None = None, max_words: int = 90) -> list[Passage]:
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
