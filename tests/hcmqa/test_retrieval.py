from hcmqa.data.qa import read_split
from hcmqa.retrieval import Retriever, tokenize
from hcmqa.text import contains_fact


def test_retrieval_returns_the_passage_that_holds_the_fact(dataset_dir):
    retriever = Retriever.from_dataset(dataset_dir)
    hits = retriever.search("When was Ho Chi Minh born?", k=3)
    assert hits and any(contains_fact(h.passage.text, "19 May 1890") for h in hits)
    hits = retriever.search("In which year did Ho Chi Minh die?", k=3)
    assert any(contains_fact(h.passage.text, "2 September 1969") for h in hits)
    assert hits[0].as_source()["id"] == hits[0].passage.id


def test_retrieval_recall_on_unseen_facts_is_above_a_floor(dataset_dir):
    """All key facts of a held-out question appear in its top-4 passages for most questions."""
    retriever = Retriever.from_dataset(dataset_dir)
    pairs = read_split(dataset_dir, "test_unseen")
    found = 0
    for pair in pairs:
        text = " ".join(h.passage.text for h in retriever.search(pair.question, k=4))
        found += all(contains_fact(text, f) for f in pair.key_facts)
    assert found / len(pairs) >= 0.75


def test_nothing_relevant_returns_no_hits(dataset_dir):
    retriever = Retriever.from_dataset(dataset_dir)
    assert retriever.search("", k=3) == []
    assert retriever.search("the of and", k=3) == []
    assert retriever.search("quantum chromodynamics lattice gluon", k=3) == []
    assert tokenize("Who DIED in Hà Nội?") == ["die", "ha", "noi"]
