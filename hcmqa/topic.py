"""A topic profile: what one museum's assistant is about, as data rather than code.

A profile names the subject, the other names the documents use for it, the pronouns a
follow-up question uses for it, and the texts the assistant speaks: its two system prompts,
its two refusals and its sample questions. It lives beside the documents as ``topic.yaml``
(or is given to ``hcmqa data build --topic FILE``), is validated like a trial configuration
(every bad field reported at once), and is written into the built dataset (``topic.json``,
recorded in its manifest), so that the retriever, the gate, the reader's prompts and the
answer path all read the same one. The bundled default is ``resources/topic.yaml``.

``aliases`` are names that mean the subject all through the documents: they match every
passage, so retrieval drops them from queries, the gate treats a question naming one as on
topic, and the faithfulness guard allows them in any answer. ``other_names`` name the subject
only in part of the documents (an earlier name, a pen name): a question using one is about
the subject and its pronouns are left alone, but retrieval keeps the name, which points to
that part.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from hcmqa.text import fold, is_rare_word

TOPIC_FILE = "topic.yaml"
DATASET_TOPIC_FILE = "topic.json"
DEFAULT_TOPIC = Path(__file__).resolve().parent / "resources" / TOPIC_FILE
PRONOUN_ROLES = ("subject", "object", "possessive", "reflexive")
MAX_TEXT = 500
MAX_SAMPLES = 20
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
# a subject's name followed by one of these names a place or thing after the subject
# ("... City", "... Trail"): not the subject
_NAMED_AFTER = ("city", "trail", "mausoleum", "campaign", "museum", "square", "road", "street", "thought", "memorial", "house", "relic", "stilt")
# a word, in letters only ("Minh's" is "Minh" and "s"); words of a name may be joined by spaces
# or hyphens
_LETTERS = re.compile(r"[^\W\d_]+")
_JOIN = re.compile(r"\s*-\s*|\s+")
# the shortest name (in letters, without spaces) that a one-letter slip is corrected in, and
# the shortest word of it: a slip in a short word makes another word ("President Hu")
FUZZY_NAME_LETTERS = 8
FUZZY_WORD_LETTERS = 4
# words after a pronoun that show it is the object ("met her in 1911"), not a possessive
# ("her father"), when the profile's object and possessive forms are the same word
_AFTER_OBJECT = frozenset(
    "to in at for with about from on by and or but when after before as that than then again too also there here once twice".split()
)


class TopicError(ValueError):
    """A topic profile is malformed. ``problems`` lists one ``file: field: message`` line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) found:\n" + "\n".join(problems))


@functools.lru_cache(maxsize=16)
def subject_re(names: tuple[str, ...]) -> re.Pattern:
    """The subject's ``names`` (folded text), not where they name a place or thing after it."""
    alternatives = "|".join(re.escape(fold(n)) for n in sorted(names, key=len, reverse=True))
    after = "|".join(_NAMED_AFTER)
    return re.compile(rf"\b(?:{alternatives})(?:'s|’s)?\b(?!\s+(?:{after})\b)")


def names_subject(text: str, names: tuple[str, ...] | None = None) -> bool:
    """Whether ``text`` names the subject itself (not a place or thing named after it); ``names``: the bundled topic's when None."""
    return bool(subject_re(tuple(names or default_topic().query_names)).search(fold(text)))


@dataclass(frozen=True)
class TopicProfile:
    subject: str
    description: str
    aliases: tuple[str, ...]
    other_names: tuple[str, ...]
    pronouns: dict
    system_grounded: str
    system_closed: str
    refusal_off_topic: str
    refusal_no_source: str
    sample_questions: tuple[str, ...]

    @property
    def query_names(self) -> tuple[str, ...]:
        """The names dropped from retrieval queries and allowed in every answer."""
        return (self.subject, *self.aliases)

    @property
    def all_names(self) -> tuple[str, ...]:
        """Every name of the subject: a question using one is about the subject."""
        return (self.subject, *self.aliases, *self.other_names)

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("aliases", "other_names", "sample_questions"):
            data[key] = list(data[key])
        data["pronouns"] = dict(self.pronouns)
        return data

    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()

    @classmethod
    def from_dict(cls, data, where: str = "topic") -> "TopicProfile":
        """Validate ``data`` (a mapping read from YAML or JSON); every problem at once as ``TopicError``."""
        problems: list[str] = []
        if not isinstance(data, dict):
            raise TopicError([f"{where}: must be a mapping of fields, got {type(data).__name__}"])
        known = {f.name for f in fields(cls)}
        for key in sorted(set(data) - known, key=str):
            problems.append(f"{where}: {key}: unknown field (known: {', '.join(sorted(known))})")

        def text(key: str, required: bool = True, limit: int = MAX_TEXT) -> str:
            value = data.get(key)
            if value is None:
                if required:
                    problems.append(f"{where}: {key}: required")
                return ""
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{where}: {key}: must be a non-empty string")
                return ""
            if len(value) > limit:
                problems.append(f"{where}: {key}: at most {limit} characters, got {len(value)}")
            return " ".join(value.split())

        def texts(key: str, most: int, limit: int, least: int = 0) -> tuple[str, ...]:
            value = data.get(key, [])
            if value is None:
                value = []
            if not isinstance(value, list):
                problems.append(f"{where}: {key}: must be a list of strings")
                return ()
            out = []
            for i, item in enumerate(value, start=1):
                if not isinstance(item, str) or not item.strip():
                    problems.append(f"{where}: {key}[{i}]: must be a non-empty string")
                elif len(item) > limit:
                    problems.append(f"{where}: {key}[{i}]: at most {limit} characters, got {len(item)}")
                else:
                    out.append(" ".join(item.split()))
            if len(value) < least:
                problems.append(f"{where}: {key}: give at least {least}")
            if len(value) > most:
                problems.append(f"{where}: {key}: at most {most} entries, got {len(value)}")
            return tuple(out)

        subject = text("subject", limit=100)
        description = text("description", limit=200)
        aliases = texts("aliases", 20, 100)
        other_names = texts("other_names", 20, 100)
        names = [n for n in (subject, *aliases, *other_names) if n]
        folded = [n.casefold() for n in names]
        for n in sorted({n for n in folded if folded.count(n) > 1}):
            problems.append(f"{where}: aliases: {n!r} is listed more than once (subject, aliases and other_names together)")
        for key, value in (("subject", [subject]), ("aliases", aliases), ("other_names", other_names)):
            for n in value:
                if n and not _WORD.search(n):
                    problems.append(f"{where}: {key}: {n!r} has no letters")
        pronouns = data.get("pronouns")
        checked: dict[str, str] = {}
        if pronouns is None:
            problems.append(f"{where}: pronouns: required ({', '.join(PRONOUN_ROLES)}), e.g. he / him / his / himself")
        elif not isinstance(pronouns, dict):
            problems.append(f"{where}: pronouns: must be a mapping of {', '.join(PRONOUN_ROLES)}")
        else:
            for role in PRONOUN_ROLES:
                value = pronouns.get(role)
                if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]+", value.strip()):
                    problems.append(f"{where}: pronouns.{role}: must be one word, e.g. {dict(zip(PRONOUN_ROLES, ('she', 'her', 'her', 'herself')))[role]!r}")
                else:
                    checked[role] = value.strip().lower()
            for key in sorted(set(pronouns) - set(PRONOUN_ROLES), key=str):
                problems.append(f"{where}: pronouns.{key}: unknown role (known: {', '.join(PRONOUN_ROLES)})")
        prompts = {key: text(key) for key in ("system_grounded", "system_closed", "refusal_off_topic", "refusal_no_source")}
        samples = texts("sample_questions", MAX_SAMPLES, MAX_TEXT, least=1)
        if problems:
            raise TopicError(problems)
        return cls(subject, description, aliases, other_names, checked, sample_questions=samples, **prompts)

    # --- how visitors write the subject -------------------------------------------------------

    @property
    def initials(self) -> str | None:
        """The subject's initials ("HCM" for "Ho Chi Minh"), when it is three or more capitalised words.

        Visitors write them for the subject ("HCM birthday?"). Two letters are left alone:
        too many other things go by two ("MC", "AL").
        """
        words = self.subject.split()
        if len(words) < 3 or not all(w[:1].isupper() and w[:1].isalpha() for w in words):
            return None
        return "".join(w[0] for w in words)

    def expand_initials(self, question: str) -> str:
        """``question`` with the subject's initials written out as its name ("HCM's father" -> "Ho Chi Minh's father").

        In capitals they always count; in lower case ("hcm birthday") only when English text
        almost never uses them as a word (a subject "Charles Augustus Tate" leaves "cat" alone).
        "HCMC" is another word and is left alone; "HCM Mausoleum" and "HCM City" become the
        full names of what is named after the subject (``names_subject`` tells those apart).
        """
        initials = self.initials
        if not initials:
            return question
        pattern = re.compile(rf"(?<![\w.-]){re.escape(initials)}(?![\w-])", re.IGNORECASE if is_rare_word(initials.lower()) else 0)
        return pattern.sub(self.subject, question)

    def correct_names(self, question: str) -> str:
        """``question`` with a misspelt or run-together name of the subject written as the profile does.

        "ho chi min", "Ho Chi Mihn", "hochiminh" and "Ho-Chi-Minh" become "Ho Chi Minh": one
        letter added, dropped, changed or two swapped (optimal string alignment distance 1,
        for names of at least ``FUZZY_NAME_LETTERS`` letters), or the words joined by hyphens
        or nothing. Written word for word, each word must start with the name's own letter,
        and a word of under ``FUZZY_WORD_LETTERS`` letters must be the name's own: "Ho Thi
        Minh" and "President Hu" are other people. A name already written word for word with spaces
        ("ho chi minh") is left as it is.
        """
        from rapidfuzz.distance import OSA

        tokens = list(_LETTERS.finditer(question))
        targets = [(n, fold(n).split()) for n in sorted(self.all_names, key=len, reverse=True) if len(n.split()) >= 2]
        spans: list[tuple[int, int, str]] = []
        i = 0
        while i < len(tokens):
            found = None
            for name, words in targets:
                target = "".join(words)
                for size in range(min(len(words), len(tokens) - i), 0, -1):
                    window = tokens[i : i + size]
                    if any(not _JOIN.fullmatch(question[a.end() : b.start()]) for a, b in zip(window, window[1:])):
                        continue
                    written = [fold(t.group()) for t in window]
                    compact = "".join(written)
                    spaced = all(not question[a.end() : b.start()].strip() for a, b in zip(window, window[1:]))
                    if written == words and spaced or compact[:1] != target[:1]:
                        continue
                    if size == len(words) and any(w[:1] != t[:1] or len(t) < FUZZY_WORD_LETTERS and w != t for w, t in zip(written, words)):
                        continue
                    if compact == target or len(target) >= FUZZY_NAME_LETTERS and OSA.distance(compact, target, score_cutoff=1) <= 1:
                        found = (window[0].start(), window[-1].end(), name, size)
                        break
                if found:
                    break
            if found:
                spans.append(found[:3])
                i += found[3]
            else:
                i += 1
        for start, end, name in reversed(spans):
            question = question[:start] + name + question[end:]
        return question

    def normalise_names(self, question: str) -> str:
        """``question`` with the subject's initials written out and its misspelt names corrected."""
        return self.correct_names(self.expand_initials(question))

    # --- follow-up questions ----------------------------------------------------------------

    def names_subject(self, question: str) -> bool:
        """Whether ``question`` names the subject by any of its names (not a place named after it)."""
        return names_subject(question, self.all_names)

    def resolve_pronoun(self, question: str) -> str:
        """The question with its first pronoun for the subject replaced by the subject's name."""
        p = self.pronouns
        subject = self.subject
        words = {p["reflexive"]: f"{subject} {p['reflexive']}", p["subject"]: subject}
        shared = p["object"] == p["possessive"]
        for match in re.finditer(r"\b[A-Za-z]+\b", question):
            word = match.group().lower()
            if word == p["reflexive"] or word == p["subject"]:
                replacement = words[word]
            elif word == p["possessive"] and not shared:
                replacement = f"{subject}'s"
            elif word == p["object"] and not shared:
                replacement = subject
            elif shared and word == p["object"]:
                after = re.match(r"\s*([A-Za-z]+)", question[match.end() :])
                replacement = f"{subject}'s" if after and after.group(1).lower() not in _AFTER_OBJECT else subject
            else:
                continue
            return question[: match.start()] + replacement + question[match.end() :]
        return question


# A topic pack: a folder with these (``hcmqa topic add``, ``bench/quality --topic``)
PACK_FILES = {"topic": "topic.yaml", "docs": "docs", "qa": "qa.csv"}
OPTIONAL_FILES = {"nearmiss": "nearmiss.csv", "unanswerable": "unanswerable-dev.csv"}


def pack_paths(folder: Path) -> dict[str, Path | None]:
    """A topic pack's files (``None`` for an optional one it lacks); a missing required one is
    a ``ValueError`` naming every one missing."""
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder (a topic pack holds {', '.join(PACK_FILES.values())})")
    paths: dict[str, Path | None] = {key: folder / name for key, name in PACK_FILES.items()}
    missing = [name for key, name in PACK_FILES.items() if not (paths[key].is_dir() if key == "docs" else paths[key].is_file())]
    if missing:
        raise ValueError(f"{folder}: missing {', '.join(missing)} (a topic pack holds topic.yaml, docs/ and qa.csv; nearmiss.csv and unanswerable-dev.csv are optional)")
    for key, name in OPTIONAL_FILES.items():
        paths[key] = folder / name if (folder / name).is_file() else None
    return paths


def load_topic(path: Path) -> TopicProfile:
    """Read and validate a profile from YAML (``.yaml``/``.yml``) or JSON."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TopicError([f"{path}: no such topic profile"]) from None
    except UnicodeDecodeError as exc:
        raise TopicError([f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise TopicError([f"{path}:{exc.lineno}: not valid JSON: {exc.msg}"]) from None
    else:
        import yaml

        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            raise TopicError([f"{path}{line}: not valid YAML: {getattr(exc, 'problem', None) or exc}"]) from None
    return TopicProfile.from_dict(data, where=str(path))


@functools.lru_cache(maxsize=1)
def default_topic() -> TopicProfile:
    """The bundled profile (``resources/topic.yaml``)."""
    return load_topic(DEFAULT_TOPIC)


def dataset_topic(dataset_dir: Path | None) -> TopicProfile:
    """The profile a dataset was built with; datasets built before profiles use the bundled one."""
    if dataset_dir is not None:
        path = Path(dataset_dir) / DATASET_TOPIC_FILE
        if path.is_file():
            return load_topic(path)
    return default_topic()
