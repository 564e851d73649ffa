"""Topic profiles: validation, the bundled default, follow-ups, and a dataset built with its own profile."""

import json
from types import SimpleNamespace

import pytest
import yaml

from hcmqa.answering import Answer, Assistant, resolve_followup
from hcmqa.data.build import DEFAULT_TOPIC, build_dataset
from hcmqa.data.qa import ValidationError
from hcmqa.gate import gate_data_from_dataset
from hcmqa.prompts import build_messages
from hcmqa.retrieval import Retriever, normalise_query
from hcmqa.topic import TopicError, TopicProfile, dataset_topic, default_topic, load_topic


def _curie(**changes) -> dict:
    data = {
        "subject": "Marie Curie",
        "description": "the life of Marie Curie",
        "aliases": ["Madame Curie"],
        "other_names": ["Maria Sklodowska"],
        "pronouns": {"subject": "she", "object": "her", "possessive": "her", "reflexive": "herself"},
        "system_grounded": "You answer visitors' questions about Marie Curie from the numbered passages.",
        "system_closed": "You answer visitors' questions about Marie Curie.",
        "refusal_off_topic": "Sorry, this museum only answers questions about Marie Curie.",
        "refusal_no_source": "Sorry, our sources do not say.",
        "sample_questions": ["Where was Marie Curie born?"],
    }
    data.update(changes)
    return data


def test_the_bundled_profile_is_valid_and_names_the_subject_only_in_data():
    topic = load_topic(DEFAULT_TOPIC)
    assert topic == default_topic()
    assert topic.query_names[0] == topic.subject and set(topic.aliases) <= set(topic.query_names)
    assert not set(topic.other_names) & set(topic.query_names)
    assert topic.pronouns == {"subject": "he", "object": "him", "possessive": "his", "reflexive": "himself"}
    assert len(topic.sample_questions) >= 1 and topic.sha256() == load_topic(DEFAULT_TOPIC).sha256()


def test_every_bad_field_is_reported_at_once(tmp_path):
    path = tmp_path / "topic.yaml"
    path.write_text(yaml.safe_dump(_curie(subject=" ", pronouns={"subject": "she", "object": "her two"}, sample_questions=[], colour="red")))
    with pytest.raises(TopicError) as caught:
        load_topic(path)
    problems = caught.value.problems
    for field in ("colour: unknown field", "subject: must be a non-empty string", "pronouns.object: must be one word", "pronouns.possessive", "pronouns.reflexive", "sample_questions: give at least 1"):
        assert any(field in p for p in problems), (field, problems)
    assert all(p.startswith(str(path)) for p in problems)
    assert len(problems) == 6


def test_a_name_listed_twice_and_unreadable_files_are_clear_errors(tmp_path):
    with pytest.raises(TopicError, match="'madame curie' is listed more than once"):
        TopicProfile.from_dict(_curie(other_names=["Madame Curie"]))
    broken = tmp_path / "topic.yaml"
    broken.write_text("subject: [Marie\n")
    with pytest.raises(TopicError, match=r"topic\.yaml:\d+: not valid YAML"):
        load_topic(broken)
    with pytest.raises(TopicError, match="no such topic profile"):
        load_topic(tmp_path / "missing.yaml")
    with pytest.raises(TopicError, match="must be a mapping"):
        TopicProfile.from_dict(["subject"])


def test_follow_ups_use_the_profiles_names_and_pronouns():
    curie = TopicProfile.from_dict(_curie())
    on = [Answer("Where was Marie Curie born?", True, "In Warsaw.")]
    assert resolve_followup("When did she die?", on, topic=curie) == "When did Marie Curie die?"
    assert resolve_followup("Who was her father?", on, topic=curie) == "Who was Marie Curie's father?"
    assert resolve_followup("Where did Pierre first meet her?", on, topic=curie) == "Where did Pierre first meet Marie Curie?"
    assert resolve_followup("Where did Maria Sklodowska study before she left?", on, topic=curie) == "Where did Maria Sklodowska study before she left?"
    # the bundled profile's pronouns mean nothing for this subject
    assert resolve_followup("When did he die?", on, topic=curie) == "When did he die?"
    assert resolve_followup("When did she die?", [Answer("Who won the cup?", False, "")], topic=curie) == "When did she die?"


def test_the_subjects_initials_are_written_out_before_the_gate_and_search():
    topic = default_topic()
    assert topic.initials == "HCM"
    assert resolve_followup("HCM birthday?", []) == "Ho Chi Minh birthday?"
    assert resolve_followup("who was hcm's father", []) == "who was Ho Chi Minh's father"
    # another word, and initials inside other tokens, are left alone
    for question in ("What is HCMC famous for?", "x.hcm", "HCM-era posters"):
        assert topic.expand_initials(question) == question
    # two words have no initials worth reading; a lower-case word in the name has none either
    assert TopicProfile.from_dict(_curie()).initials is None
    assert TopicProfile.from_dict(_curie(subject="Joan of Arc", aliases=[], other_names=[])).initials is None
    # initials that spell a common English word count only in capitals
    tate = TopicProfile.from_dict(_curie(subject="Charles Augustus Tate", aliases=[], other_names=[]))
    assert tate.expand_initials("Did CAT own a cat?") == "Did Charles Augustus Tate own a cat?"


def test_misspelt_and_run_together_names_of_the_subject_are_corrected():
    topic = default_topic()
    for written in ("ho chi min", "Ho Chi Mihn", "hochiminh", "Ho-Chi-Minh", "ho chi minn"):
        assert resolve_followup(f"when did {written} die", []) == "when did Ho Chi Minh die", written
    assert topic.normalise_names("UncleHo's wife") == "Uncle Ho's wife"
    assert topic.normalise_names("nguyen ai quock in paris") == "Nguyen Ai Quoc in paris"
    # names written word for word are left as they are; other people's names too
    for question in ("ho chi minh born", "Hồ Chí Minh born", "Who was Ho Thi Minh?", "When did President Hu visit Hanoi?", "Nguyen Sinh Sac", "Ho, Chi Minh", "Ho Chi Mnhi Ho"):
        assert topic.normalise_names(question) == question, question
    curie = TopicProfile.from_dict(_curie())
    assert curie.normalise_names("where was marie curei born") == "where was Marie Curie born"
    assert curie.normalise_names("where was Pierre Curie born") == "where was Pierre Curie born"
    assert curie.normalise_names("Marie Currie and Pierre") == "Marie Curie and Pierre"


def test_the_profile_drops_its_own_names_from_queries_and_writes_the_prompts():
    curie = TopicProfile.from_dict(_curie())
    assert normalise_query("When did Madame Curie win the prize?", curie.query_names) == "when did win the prize?"
    messages = build_messages("Where was she born?", ["She was born in Warsaw."], "grounded", curie)
    assert messages[0]["content"] == curie.system_grounded and "[1] She was born in Warsaw." in messages[1]["content"]
    assert build_messages("Where was she born?", None, "closed_book", curie)[0]["content"] == curie.system_closed


def test_a_dataset_records_its_profile_and_answers_with_its_refusals(fixtures_dir, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for f in (fixtures_dir / "docs").iterdir():
        (docs / f.name).write_bytes(f.read_bytes())
    (docs / "topic.yaml").write_text(yaml.safe_dump(_curie()), encoding="utf-8")
    own = build_dataset(docs_dir=docs, qa_csv=fixtures_dir / "qa_good.csv", offtopic_csv=None, out_root=tmp_path / "out", name="fx")
    assert own.warnings == ()
    assert own.manifest["topic"]["subject"] == "Marie Curie" and own.manifest["inputs"]["topic"]["path"] == "topic.yaml"
    assert json.loads((own.path / "topic.json").read_text())["aliases"] == ["Madame Curie"]
    assert dataset_topic(own.path) == TopicProfile.from_dict(_curie())

    # the same documents without a profile: the bundled one, with a warning, and another version
    (docs / "topic.yaml").unlink()
    plain = build_dataset(docs_dir=docs, qa_csv=fixtures_dir / "qa_good.csv", offtopic_csv=None, out_root=tmp_path / "out", name="fx")
    assert plain.manifest["version"] != own.manifest["version"] and plain.manifest["topic"]["subject"] == default_topic().subject
    assert any("no topic profile given" in w for w in plain.warnings)

    retriever = Retriever.from_dataset(own.path)
    assert retriever.topic.subject == "Marie Curie" and retriever.subject_names == ("Marie Curie", "Madame Curie")

    class Gate:
        def classify(self, questions):
            return [SimpleNamespace(related=not q.startswith("Who won"), score=0.9) for q in questions]

    class Reader:
        tokenizer = SimpleNamespace(apply_chat_template=lambda messages, **kw: json.dumps(messages))

        def generate(self, prompts, progress=None):
            return [SimpleNamespace(text="Nothing.", seconds=0.0) for _ in prompts]

    assistant = Assistant(Gate(), retriever, Reader(), min_sentence_score=99.0)
    off = assistant.ask("Who won the cup?")
    assert off.path == "refused_off_topic" and off.answer == "Sorry, this museum only answers questions about Marie Curie."
    unsure = assistant.ask("What colour was her laboratory coat?")
    assert unsure.path == "refused_no_source" and unsure.answer == "Sorry, our sources do not say."


def test_a_bad_profile_fails_the_build_with_the_other_problems_and_writes_nothing(fixtures_dir, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(_curie(pronouns=None)), encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        build_dataset(docs_dir=fixtures_dir / "docs", qa_csv=fixtures_dir / "qa_good.csv", offtopic_csv=None, out_root=tmp_path / "out", name="bad name", topic=bad)
    assert any("pronouns: required" in p for p in caught.value.problems)
    assert any(p.startswith("name:") for p in caught.value.problems)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_gate_learns_the_topic_without_the_profiles_names(fixtures_dir, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for f in (fixtures_dir / "docs").iterdir():
        (docs / f.name).write_bytes(f.read_bytes())
    offtopic = tmp_path / "off.csv"
    offtopic.write_text("question,category\nWho won the 2018 World Cup?,sport\nWhat is the capital of Peru?,geography\n", encoding="utf-8")
    qa = tmp_path / "qa.csv"
    qa.write_text("question,answer,key_facts,fact_id\n" + "".join(f"What did Madame Curie plant in garden {i}?,Roses {i}.,Roses {i},garden.{i}\n" for i in range(12)), encoding="utf-8")
    built = build_dataset(docs_dir=docs, qa_csv=qa, offtopic_csv=offtopic, out_root=tmp_path / "out", name="fx", topic=_write(tmp_path / "curie.yaml", _curie()))
    data = gate_data_from_dataset(built.path)
    assert data.subject_names == ["Marie Curie", "Madame Curie"]
    assert any(q.startswith("what did plant in garden") for q in data.train_questions)


def _write(path, data):
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _pack(fixtures_dir, root, **profile):
    """A topic pack folder: the fixture documents and QA pairs with a profile of their own."""
    pack = root / "garden-pack"
    (pack / "docs").mkdir(parents=True)
    for f in (fixtures_dir / "docs").iterdir():
        (pack / "docs" / f.name).write_bytes(f.read_bytes())
    (pack / "qa.csv").write_bytes((fixtures_dir / "qa_good.csv").read_bytes())
    _write(pack / "topic.yaml", _curie(**profile))
    (pack / "nearmiss.csv").write_text("question\nHow do I grow roses in a city garden?\nWhat is the best fertiliser for a lawn?\n", encoding="utf-8")
    return pack


def test_topic_add_builds_the_pack_with_its_own_gate_and_near_misses(fixtures_dir, tmp_path, capsys):
    from hcmqa.cli import main
    from hcmqa.gate import GateClassifier
    from hcmqa.home import Home

    pack = _pack(fixtures_dir, tmp_path)
    home = tmp_path / "home"
    assert main(["--home", str(home), "topic", "add", str(pack), "--no-retriever"]) == 0
    out = capsys.readouterr().out
    assert "subject Marie Curie" in out and "related" in out and "ready: hcmqa ask --dataset" in out
    (built,) = (home / "datasets").iterdir()
    assert built.name.startswith("garden-pack-")
    manifest = json.loads((built / "manifest.json").read_text())
    assert manifest["counts"]["nearmiss"] == 2 and manifest["inputs"]["nearmiss"]["path"] == "nearmiss.csv"
    offtopic = (built / "offtopic.csv").read_text(encoding="utf-8")
    # the pack's near-misses are in, the bundled topic's are not: they are about another subject
    assert "How do I grow roses in a city garden?" in offtopic
    assert "How is southern pho different from Hanoi pho?" not in offtopic and "Who won" in offtopic
    # nor the bundled set's questions that name this subject: they are this topic's own
    assert "What did Marie Curie discover?" not in offtopic
    # another topic's gate lives in its dataset: the bundled topic's gate is not touched
    gate = GateClassifier.load(built / "gate")
    assert gate.metadata["topic"]["subject"] == "Marie Curie" and gate.subject_names == ("Marie Curie", "Madame Curie")
    assert not Home(home).gate_file.exists()
    assert main(["--home", str(home), "topic", "show", "--dataset", str(built)]) == 0
    assert json.loads(capsys.readouterr().out)["pronouns"]["subject"] == "she"


def test_topic_add_names_every_missing_file_and_a_near_miss_that_is_a_qa_question(fixtures_dir, tmp_path, capsys):
    from hcmqa.cli import main

    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["--home", str(tmp_path / "home"), "topic", "add", str(empty), "--no-retriever"]) == 2
    assert "missing topic.yaml, docs, qa.csv" in capsys.readouterr().err
    pack = _pack(fixtures_dir, tmp_path)
    first_question = (fixtures_dir / "qa_good.csv").read_text().splitlines()[1].split(",")[0]
    (pack / "nearmiss.csv").write_text(f"question\n{first_question}\n", encoding="utf-8")
    assert main(["--home", str(tmp_path / "home"), "topic", "add", str(pack), "--no-retriever"]) == 2
    err = capsys.readouterr().err
    assert f"{pack / 'nearmiss.csv'}:2:" in err and "is also a QA question (row 2 of qa.csv)" in err
    assert not (tmp_path / "home" / "datasets").exists() or not any((tmp_path / "home" / "datasets").iterdir())


def test_names_mentioned_in_passing_become_near_misses_for_another_topic(fixtures_dir, tmp_path):
    pack = _pack(fixtures_dir, tmp_path)
    (pack / "docs" / "letters.md").write_text(
        "# Letters\n\n## Friends\n\nIn 1911 Madame Curie met Albert Einstein at a congress in Brussels."
        " Madame Curie later wrote to Marie Curie's old teachers in Warsaw.\n",
        encoding="utf-8",
    )
    built = build_dataset(docs_dir=pack / "docs", qa_csv=pack / "qa.csv", out_root=tmp_path / "out", name="fx", topic=pack / "topic.yaml")
    data = gate_data_from_dataset(built.path)
    assert any("Albert Einstein" in q for q in data.mined), data.mined
    assert not any("Curie" in q for q in data.mined)  # the subject's own names are never mined
    labels = dict(zip(data.train_questions, data.train_labels))
    assert all(labels[q] == 0 for q in data.mined) and not set(data.mined) & set(data.heldout_questions)
    # the bundled topic has its own curated near-misses: nothing is mined for it
    plain = build_dataset(docs_dir=pack / "docs", qa_csv=pack / "qa.csv", out_root=tmp_path / "out", name="fx", topic=DEFAULT_TOPIC)
    assert gate_data_from_dataset(plain.path).mined == []
