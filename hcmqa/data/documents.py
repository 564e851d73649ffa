"""Turn HTML (including saved Wikipedia articles), Markdown and plain text into clean sections.

Each document becomes a list of :class:`Section` objects (a title and its paragraphs). The
cleaning is deliberately conservative: we drop what is clearly not article prose (navigation,
scripts, tables of contents, edit links, citation markers, reference lists) and keep the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED_SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown", ".txt": "text"}

# Citation markers such as [12], [a], [note 3], [citation needed], [1]:34.
_CITATION_RE = re.compile(r"\[(?:\d+|[a-z]|note \d+|citation needed|clarification needed|edit)\](?::\d+(?:[-–]\d+)?)?", re.I)
_SPACE_RE = re.compile(r"[ \t\u00a0]+")
_MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS_RE = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")

# Elements that never hold article prose.
_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "table", "figure", "sup", "math", "svg", "button", "input"]
# Wikipedia and generic page furniture, matched on class or id.
_DROP_CLASS_RE = re.compile(
    r"(mw-editsection|navbox|vertical-navbox|infobox|sidebar|toc|reflist|references|reference|"
    r"mw-references|hatnote|shortdescription|catlinks|printfooter|mw-jump|noprint|metadata|"
    r"ambox|thumb|gallery|authority-control|portal|sistersitebox|mw-cite-backlink|navigation|menu|breadcrumb|cookie)",
    re.I,
)
# Sections whose content is bibliography, not knowledge.
_STOP_SECTIONS = {"references", "notes", "citations", "sources", "bibliography", "further reading", "external links", "see also", "footnotes"}


class DocumentError(ValueError):
    """A document could not be read; the message names the file and the reason."""


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Document:
    path: str
    title: str
    sections: list[Section]

    @property
    def word_count(self) -> int:
        return sum(len(p.split()) for s in self.sections for p in s.paragraphs)


def clean_inline(text: str) -> str:
    """Remove citation markers and normalise spacing inside one paragraph."""
    text = _CITATION_RE.sub("", text)
    text = _SPACE_RE.sub(" ", text)
    text = re.sub(r"\s+([,.;:!?)])", r"\1", text)
    text = re.sub(r"\(\s*\)", "", text)
    return text.strip()


def read_text_file(path: Path) -> str:
    """Read UTF-8 text; a BOM is accepted, anything else that is not UTF-8 is an error."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DocumentError(f"{path}: not valid UTF-8 at byte {exc.start} (line {line}); save the file as UTF-8 and retry") from exc


def parse_html(html: str, fallback_title: str) -> tuple[str, list[Section]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title_tag = soup.find(id="firstHeading") or soup.find("h1") or soup.title
    title = clean_inline(title_tag.get_text(" ")) if title_tag else fallback_title
    title = re.sub(r"\s+-\s+Wikipedia$", "", title)
    root = soup.find(id="mw-content-text") or soup.find("main") or soup.find("article") or soup.body or soup
    for tag in root.find_all(_DROP_TAGS):
        tag.decompose()
    doomed = []
    for tag in root.find_all(True):
        marker = " ".join(tag.get("class") or []) + " " + str(tag.get("id") or "")
        if marker.strip() and _DROP_CLASS_RE.search(marker):
            doomed.append(tag)
    for tag in doomed:
        if not tag.decomposed:
            tag.decompose()
    sections = [Section(title="Introduction")]
    stopped = False
    for el in root.find_all(["h2", "h3", "h4", "p", "li", "blockquote", "dd"]):
        if el.name in ("h2", "h3", "h4"):
            heading = clean_inline(el.get_text(" "))
            stopped = heading.casefold() in _STOP_SECTIONS
            if not stopped and heading:
                sections.append(Section(title=heading))
            continue
        if stopped:
            continue
        # List items inside navigation-like lists are dropped with their parents above; a
        # list item nested in another kept element would be counted twice, so skip those.
        if el.find_parent(["li", "blockquote"]) is not None and el.name != "blockquote":
            continue
        text = clean_inline(el.get_text(" "))
        if len(text.split()) >= 4:
            sections[-1].paragraphs.append(text)
    return title, [s for s in sections if s.paragraphs]


def parse_markdown(text: str, fallback_title: str) -> tuple[str, list[Section]]:
    title = fallback_title
    sections = [Section(title="Introduction")]
    buffer: list[str] = []
    in_code = False

    def flush() -> None:
        if buffer:
            para = clean_inline(" ".join(buffer))
            para = _MD_LINK_RE.sub(r"\1", para)
            para = _MD_EMPHASIS_RE.sub(r"\2", para)
            if para:
                sections[-1].paragraphs.append(para)
            buffer.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            in_code = not in_code
            continue
        if in_code:
            continue
        heading = _MD_HEADING_RE.match(stripped)
        if heading:
            flush()
            level, name = len(heading.group(1)), clean_inline(heading.group(2))
            if level == 1 and title == fallback_title:
                title = name
            else:
                sections.append(Section(title=name))
            continue
        if not stripped:
            flush()
            continue
        if re.match(r"^([-*+]|\d+\.)\s+", stripped):
            flush()
            stripped = re.sub(r"^([-*+]|\d+\.)\s+", "", stripped)
        buffer.append(stripped.lstrip("> "))
    flush()
    return title, [s for s in sections if s.paragraphs]


def parse_text(text: str, fallback_title: str) -> tuple[str, list[Section]]:
    paragraphs = [clean_inline(" ".join(block.split())) for block in re.split(r"\n\s*\n", text)]
    return fallback_title, [Section(title="Text", paragraphs=[p for p in paragraphs if p])]


def load_document(path: Path) -> Document:
    """Parse one supported file; raises :class:`DocumentError` naming the file."""
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise DocumentError(f"{path}: unsupported file type {path.suffix!r}; use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}")
    text = read_text_file(path)
    fallback = path.stem.replace("-", " ").replace("_", " ").strip().title()
    parser = {"html": parse_html, "markdown": parse_markdown, "text": parse_text}[kind]
    title, sections = parser(text, fallback)
    if not sections:
        raise DocumentError(f"{path}: no readable text found after cleaning")
    return Document(path=str(path), title=title, sections=sections)


def load_documents(folder: Path) -> list[Document]:
    """Load every supported document under ``folder`` (sorted, so builds are reproducible).

    All problems are collected and raised together so a user fixes them in one pass.
    """
    if not folder.is_dir():
        raise DocumentError(f"{folder}: documents folder not found")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
    if not files:
        raise DocumentError(f"{folder}: no documents found (expected {', '.join(sorted(SUPPORTED_SUFFIXES))})")
    docs, errors = [], []
    for path in files:
        try:
            docs.append(load_document(path))
        except DocumentError as exc:
            errors.append(str(exc))
    if errors:
        raise DocumentError("\n".join(errors))
    return docs
