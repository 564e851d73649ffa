"""The topic gate learns the topic, not the subject's name."""

from pathlib import Path

from hcmqa.data.qa import load_qa_csv
from hcmqa.retrieval import normalise_query
from hcmqa.text import fold

ROOT = Path(__file__).resolve().parents[2]


def test_training_questions_that_name_the_subject_are_also_learned_without_the_name(dataset_dir):
    from hcmqa.gate import gate_data_from_dataset

    pairs = load_qa_csv(dataset_dir / "qa.csv")
    data = gate_data_from_dataset(dataset_dir)
    trained = dict(zip(data.train_questions, data.train_labels))
    named = [p for p in pairs if p.split == "train" and "ho chi minh" in fold(p.question) and "ho chi minh city" not in fold(p.question)]
    assert named, "the bundled train split has questions naming the subject"
    for pair in named[:20]:
        unnamed = normalise_query(pair.question)
        assert "ho chi minh" not in unnamed and trained.get(unnamed) == 1, pair.question
    # held-out questions stay held out in either form, and nothing is added twice
    held = {normalise_query(p.question) for p in pairs if p.split.startswith("test")} - {normalise_query(p.question) for p in pairs if p.split in ("train", "val")}
    assert held and not held & set(data.train_questions)
    assert len(data.train_questions) == len({fold(q) for q in data.train_questions})
    # off-topic questions are never rewritten: the off-topic side is exactly the CSV's, minus the held-out ones
    from hcmqa.data.qa import load_offtopic_csv

    offtopic = load_offtopic_csv(dataset_dir / "offtopic.csv")
    off_train = [q for q, y in zip(data.train_questions, data.train_labels) if y == 0]
    off_held = [q for q, y in zip(data.heldout_questions, data.heldout_labels) if y == 0]
    assert sorted(off_train + off_held) == sorted(offtopic)


def test_the_gate_accepts_web_style_questions_that_do_not_name_him_and_still_refuses_held_out_off_topic_ones(dataset_dir, gate):
    from hcmqa.gate import gate_data_from_dataset

    web = [p.question for p in load_qa_csv(ROOT / "bench" / "quality" / "web_style.csv", require_key_facts=True)]
    refused = [d.question for d in gate.classify(web) if not d.related]
    # trained on the named forms alone, the gate refused 5 of these 90 (e.g. "pen name tran luc")
    assert len(refused) <= 2, refused
    data = gate_data_from_dataset(dataset_dir)
    report = gate.evaluate(data.heldout_questions, data.heldout_labels)
    assert report.related.recall >= 0.97 and report.unrelated.recall >= 0.97
    assert not gate.classify(["Is the Ho Chi Minh City metro open on Sundays?"])[0].related


def test_a_bare_question_about_one_of_the_topics_own_names_is_let_through(dataset_dir, gate):
    from hcmqa.gate import gate_data_from_dataset

    data = gate_data_from_dataset(dataset_dir)
    # names the documents use and no off-topic training question does
    assert {"pac bo", "hoang thi loan", "ba dinh square", "tan trao"} <= set(data.names)
    # a name stands with the other spellings the alias table accepts: "Guangzhou" with the
    # documents' "Canton", and neither "Phan Chau Trinh" nor "Phan Chu Trinh", which an
    # off-topic question uses
    assert {"canton", "guangzhou"} <= set(data.names)
    assert not {"phan chau trinh", "phan chu trinh"} & set(data.names)
    assert not {"lenin", "hue", "hanoi", "ho chi minh"} & set(data.names)
    # the model alone refuses these: "what is" and "who was" open most off-topic questions
    own = ["What is Pac Bo?", "Who was Hoang Thi Loan?", "what is ba dinh square", "What is Tan Trao?"]
    assert all(s < gate.threshold for s in gate.scores(own))
    assert all(d.related and d.by_name for d in gate.classify(own))
    assert gate.asks_about_own_name("Tell me about Tan Trao.") and gate.asks_about_own_name("Who was the Comintern?")
    # an own name with one word for the kind of thing it names; the model alone refuses these too
    kinds = ["what is pac bo cave", "What is Kim Lien village?"]
    assert all(s < gate.threshold for s in gate.scores(kinds))
    assert all(d.related and d.by_name for d in gate.classify(kinds))
    assert not gate.asks_about_own_name("what is pac bo famous for") and not gate.asks_about_own_name("what is ba dinh district")
    # names off-topic questions use, names the documents lack, and longer questions are the model's to decide
    others = ["What is Hue?", "Who was Lenin?", "What is torque?", "Who was Napoleon?", "What is Pac Bo famous for among tourists?"]
    assert not any(d.by_name for d in gate.classify(others))
    assert not any(d.related for d in gate.classify(others[:4]))


def test_a_longer_question_using_one_of_the_topics_rare_names_is_let_through(dataset_dir, gate):
    from hcmqa.gate import gate_data_from_dataset

    # own names with a word English almost never uses, not those made of common words
    assert {"hoang thi loan", "tuan le vang", "linov"} <= gate.rare_names
    assert {"june", "new year", "pac bo"} <= gate.names and not {"june", "new year", "pac bo"} & gate.rare_names
    rare = ["What became of the baby Hoang Thi Loan bore just before she died?", "tuan le vang dates", "Who was Linov at the International Lenin School?"]
    # the model alone refuses them: "baby", "dates" and "school" sound like anything
    assert all(s < gate.threshold for s in gate.scores(rare))
    assert all(d.related and d.by_name for d in gate.classify(rare))
    # own names made of common words do not let a question through
    common = ["Is June a good month to visit Saigon?", "How do you say happy new year in Vietnamese?", "What is Pac Bo famous for among tourists?"]
    assert not any(d.related or d.by_name for d in gate.classify(common))
    # no held-out off-topic question is let through by the rule
    data = gate_data_from_dataset(dataset_dir)
    off_held = [q for q, y in zip(data.heldout_questions, data.heldout_labels) if y == 0]
    assert off_held and not [d.question for d in gate.classify(off_held) if d.by_name]


def test_a_question_using_one_of_the_topics_rare_terms_is_let_through(dataset_dir, gate):
    from hcmqa.gate import gate_data_from_dataset, topic_terms

    # lower-case words English almost never uses, in the documents and in related training questions
    assert {"mausoleum", "stilt", "plenum"} <= gate.terms
    assert not {"photos", "open", "house", "ho", "minh"} & gate.terms
    visitors = ["Can you take photos inside the mausoleum?", "What time does the mausoleum open?", "Can I see the stilt house?"]
    # the model alone refuses them: "take photos", "what time ... open" sound like the off-topic side
    assert all(s < gate.threshold for s in gate.scores(visitors))
    assert all(d.related and d.by_term and not d.by_name for d in gate.classify(visitors))
    assert not any(d.by_term for d in gate.classify(["What time does the bank open?", "Who won the cup?"]))
    # no held-out off-topic question is let through by a term
    data = gate_data_from_dataset(dataset_dir)
    assert data.terms == sorted(gate.terms)
    off_held = [q for q, y in zip(data.heldout_questions, data.heldout_labels) if y == 0]
    assert off_held and not [d.question for d in gate.classify(off_held) if d.by_term]
    # a word an off-topic question uses, one the documents write only capitalised, and one
    # asked once are no terms
    from hcmqa.data.passages import Passage

    docs = [Passage("d/1", "d.md", "T", "S", "The mausoleum stands on the square. The mausoleum is of granite. The Comintern met. The Comintern sat. A zeppelin flew. A zeppelin fell. A stilt house. A stilt pond.")]
    asked = ["Where is the mausoleum?", "Who built the mausoleum?", "What was the Comintern?", "Was the Comintern big?", "What zeppelin?", "Which zeppelin?", "A stilt?"]
    assert topic_terms(docs, asked, ["How big was the Hindenburg zeppelin?"]) == ["mausoleum"]


def test_a_question_naming_the_subject_is_let_through_when_no_off_topic_question_names_him(dataset_dir, gate):
    from hcmqa.gate import GateClassifier, gate_data_from_dataset

    data = gate_data_from_dataset(dataset_dir)
    assert data.subject_names == ["Ho Chi Minh", "Uncle Ho", "Bac Ho", "President Ho", "HCM"]
    # the words around the name look off topic to the model ("shoes", "famous for wearing")
    named = ["What shoes is Uncle Ho famous for wearing?", "What does the word bac in Bac Ho mean?"]
    bare = GateClassifier.train(data.train_questions, data.train_labels, names=data.names)
    assert not any(d.related for d in bare.classify(named))
    decisions = gate.classify(named)
    assert all(d.related and d.by_subject and not d.by_name for d in decisions), decisions
    # places and things named after him are not him, and a question without his name is the model's
    others = ["What is the weather like in Ho Chi Minh City in June?", "Is the Ho Chi Minh Trail open to hikers?", "What shoes are in fashion this year?"]
    decisions = gate.classify(others)
    assert not any(d.by_subject for d in decisions)
    assert not decisions[0].related and not decisions[2].related
    # no held-out off-topic question is let through by the rule
    report = gate.evaluate(data.heldout_questions, data.heldout_labels)
    wrongly_let_through = [e for e in report.errors if e["label"] == 0]
    assert not [e for e in wrongly_let_through if gate.classify([e["question"]])[0].by_subject]


def test_the_subject_rule_is_off_when_an_off_topic_training_question_names_him(tmp_path):
    from hcmqa.gate import GateClassifier, gate_data_from_dataset

    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "qa.csv").write_text(
        "question,answer,key_facts,split\n"
        "When was Ho Chi Minh born?,On 19 May 1890.,19 May 1890,train\n"
        "Where did Uncle Ho study?,At Quoc Hoc in Hue.,Quoc Hoc,val\n"
        "Where was he born?,In Hoang Tru.,Hoang Tru,test_unseen\n",
        encoding="utf-8",
    )
    (folder / "offtopic.csv").write_text("question\nWho won the 2018 World Cup?\nWhat did Ho Chi Minh think of the 2018 World Cup?\nBest pho in town?\n", encoding="utf-8")
    data = gate_data_from_dataset(folder, heldout_offtopic_fraction=0.0)
    assert data.subject_names == []
    gate = GateClassifier.fit(data)
    assert not any(d.by_subject for d in gate.classify(["What shoes did Ho Chi Minh wear?"]))


def test_the_gates_own_names_survive_saving_and_loading(tmp_path):
    from hcmqa.gate import GateClassifier

    questions = ["When was he born?", "Where did he live?", "Best pho in town?", "Who won the cup?"]
    gate = GateClassifier.train(questions, [1, 1, 0, 0], names=["pac bo"])
    loaded = GateClassifier.load(gate.save(tmp_path / "gate"))
    assert loaded.names == {"pac bo"} and "names" not in loaded.metadata
    assert loaded.classify(["What is Pac Bo?"])[0].by_name
    # the subject's names are saved too; a gate saved without them lets nothing through by them
    named = GateClassifier.load(GateClassifier.train(questions, [1, 1, 0, 0], subject_names=["Uncle Ho"]).save(tmp_path / "named"))
    assert named.subject_names == ("Uncle Ho",) and "subject_names" not in named.metadata
    assert named.classify(["Who won the cup, Uncle Ho?"])[0].by_subject
    assert loaded.subject_names == () and not loaded.classify(["Who won the cup, Uncle Ho?"])[0].by_subject
    # a gate saved without names lets nothing through by name
    bare = GateClassifier.load(GateClassifier.train(questions, [1, 1, 0, 0]).save(tmp_path / "bare"))
    assert not bare.classify(["What is Pac Bo?"])[0].by_name
    # the topic's terms are saved too; a gate saved without them lets nothing through by a term
    termed = GateClassifier.load(GateClassifier.train(questions, [1, 1, 0, 0], terms=["mausoleum"]).save(tmp_path / "termed"))
    assert termed.terms == {"mausoleum"} and "terms" not in termed.metadata
    assert termed.classify(["Who won the cup at the mausoleum?"])[0].by_term
    assert bare.terms == frozenset() and not bare.classify(["Who won the cup at the mausoleum?"])[0].by_term


def test_a_saved_gate_with_malformed_names_is_a_clear_error(tmp_path):
    import json

    import pytest

    from hcmqa.gate import GateClassifier

    folder = GateClassifier.train(["When was he born?", "Where did he live?", "Best pho?", "Who won the cup?"], [1, 1, 0, 0], names=["pac bo"]).save(tmp_path / "gate")
    meta = json.loads((folder / "gate.json").read_text())
    (folder / "gate.json").write_text(json.dumps(dict(meta, names="pac bo")))
    with pytest.raises(ValueError, match="names: must be a list of strings"):
        GateClassifier.load(folder)
    (folder / "gate.json").write_text(json.dumps(dict(meta, subject_names=[1, 2])))
    with pytest.raises(ValueError, match="gate.json: subject_names: must be a list of strings"):
        GateClassifier.load(folder)
    (folder / "gate.json").write_text(json.dumps(dict(meta, terms="mausoleum")))
    with pytest.raises(ValueError, match="gate.json: terms: must be a list of strings"):
        GateClassifier.load(folder)
