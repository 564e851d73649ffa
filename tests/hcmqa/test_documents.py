from pathlib import Path

import pytest

from hcmqa.data.documents import Document, DocumentError, Section, load_document, load_documents
from hcmqa.data.passages import chunk_document, chunk_documents
from hcmqa.data.sentences import split_sentences


def test_wikipedia_html_is_cleaned(fixtures_dir):
    doc = load_document(fixtures_dir / "docs" / "wiki-article.html")
    assert doc.title == "Kim Lien relic site"
    text = " ".join(p for s in doc.sections for p in s.paragraphs)
    assert "Nam Dan district of Nghe An province." in text
    assert "restored in the 1950s" in text
    # citations, edit links, navigation, scripts, infobox, TOC, references and footer are gone
    for junk in ("[1]", "[2]", "[note 3]", "[citation needed]", "edit", "Main page", "tracking", "infobox cell",
                 "Contents", "reference entry", "external link paragraph", "last edited", "Jump to content",
                 "disambiguation", "Navigation box"):
        assert junk not in text, junk
    assert [s.title for s in doc.sections] == ["Introduction", "History"]


def test_markdown_and_text(fixtures_dir):
    md = load_document(fixtures_dir / "docs" / "notes.md")
    assert md.title == "Visiting notes"
    text = " ".join(p for s in md.sections for p in s.paragraphs)
    assert "written in Markdown with a link inside" in text
    assert "code blocks" not in text and "**" not in text and "http" not in text
    txt = load_document(fixtures_dir / "docs" / "garden.txt")
    assert len(txt.sections[0].paragraphs) == 2


def test_offline_punkt_keeps_abbreviations():
    sentences = split_sentences("Dr. Tran opened it in 1959. The U.S. delegation came on Sept. 2. Mr. Ba left.")
    assert sentences == ["Dr. Tran opened it in 1959.", "The U.S. delegation came on Sept. 2.", "Mr. Ba left."]


def test_passages_have_unique_ids_and_whole_sentences(fixtures_dir):
    root = fixtures_dir / "docs"
    passages = chunk_documents(load_documents(root), root=root, max_words=20)
    ids = [p.id for p in passages]
    assert len(ids) == len(set(ids))
    assert "wiki-article/history/1" in ids
    for p in passages:
        assert p.text.endswith((".", "!", "?")), p.text
        assert len(p.text.split()) <= 40


def _sentence(label: str, words: int) -> str:
    return " ".join([label] + ["word"] * (words - 2) + ["end."])


def test_passages_follow_paragraphs_and_cut_long_ones_evenly():
    # a 120-word paragraph of six 20-word sentences, then two short paragraphs
    long = " ".join(_sentence(f"L{i}", 20) for i in range(6))
    short_a, short_b = _sentence("A", 45), _sentence("B", 40)
    doc = Document("doc.md", "Doc", [Section("Life", [long, short_a, short_b]), Section("Death", [_sentence("D", 10)])])
    texts = [p.text for p in chunk_document(doc, "doc", max_words=100)]
    starts = [t.split()[0] for t in texts]
    # cut in the middle (60 + 60 words), not after 100 words with 20 left over; the second half
    # and the next paragraph no longer fit together, the two short paragraphs do; a section
    # ends its passage
    assert starts == ["L0", "L3", "A", "D"]
    assert [len(t.split()) for t in texts] == [60, 60, 85, 10]
    # the old way, filling each passage before starting the next, would have begun one at L5
    assert not any(t.startswith("L5") for t in texts)


def test_bad_encoding_and_unsupported_files_are_reported(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"fine line\n\xff\xfe broken")
    (tmp_path / "ok.md").write_text("# T\n\nSome words here for a paragraph.\n")
    with pytest.raises(DocumentError, match=r"bad.txt: not valid UTF-8 at byte \d+ \(line 2\)"):
        load_documents(tmp_path)
    with pytest.raises(DocumentError, match="unsupported file type"):
        load_document(Path(tmp_path / "ok.pdf"))
    with pytest.raises(DocumentError, match="documents folder not found"):
        load_documents(tmp_path / "ok.md")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DocumentError, match="no documents found"):
        load_documents(tmp_path / "empty")
