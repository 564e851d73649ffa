"""Sentence splitting with an NLTK Punkt tokenizer built offline.

NLTK's ``sent_tokenize`` wants the ``punkt_tab`` data package, which is downloaded from the
network. We build the same kind of tokenizer from parameters we own: a list of abbreviations
that end with a period but do not end a sentence, plus statistics learned by ``PunktTrainer``
from our own knowledge corpus, which is shipped with the package.
"""

from __future__ import annotations

import functools
from pathlib import Path

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer, PunktTrainer

# Lower-case, without the trailing period, as Punkt stores them.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof st mt ft jr sr gen col lt capt sgt rev gov pres sen rep hon
    jan feb mar apr jun jul aug sep sept oct nov dec
    e.g i.e etc vs cf al approx ca no nos vol fig pp ed eds dept univ inc ltd co corp
    u.s u.k u.s.a u.s.s.r a.m p.m b.c a.d
    """.split()
)


def _training_text() -> str:
    corpus_dir = Path(__file__).resolve().parent.parent / "resources" / "corpus"
    return "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(corpus_dir.glob("*.md")))


@functools.lru_cache(maxsize=1)
def sentence_tokenizer() -> PunktSentenceTokenizer:
    """The shared tokenizer: trained on the bundled corpus, with our abbreviation list."""
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = True
    text = _training_text()
    if text:
        trainer.train(text, finalize=True)
        params = trainer.get_params()
    else:
        params = PunktParameters()
    params.abbrev_types.update(ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences; blank results are dropped."""
    return [s.strip() for s in sentence_tokenizer().tokenize(text) if s.strip()]
