"""Key-fact matching: canonical forms, number words, dates, plurals and the alias table."""

import pytest

from hcmqa.text import AliasTable, bundled_aliases, canonical_text, contains_fact, load_aliases

NO_ALIASES = AliasTable()


@pytest.mark.parametrize(
    "answer, fact",
    [
        ("He spent thirteen months in prison.", "13 months"),
        ("He spent 13 months in prison.", "thirteen months"),
        ("He was twenty-one years old.", "21"),
        ("nearly thirty jails", "30 jails"),
        ("the Seventeenth parallel", "17th parallel"),
        ("well over a hundred names", "100"),
        ("fifteen thousand troops", "15,000"),
        ("15000 French troops", "15,000"),
        ("He was born on May 19, 1890.", "19 May 1890"),
        ("born on the 19th of May 1890", "19 May 1890"),
        ("He died at 9.47 a.m.", "9:47"),
        ("He worked in hotel kitchens.", "kitchen"),
        ("He read Lenin’s theses in L’Humanité.", "L'Humanite"),
        ("the Latouche Treville", "Latouche-Treville"),
        ("He lived in Huế as a boy.", "Hue"),
    ],
)
def test_equivalent_forms_match(answer, fact):
    assert contains_fact(answer, fact, aliases=NO_ALIASES)


@pytest.mark.parametrize(
    "answer, fact",
    [
        ("He died in 1979.", "79"),  # a number never matches inside a longer number
        ("in the 1890s", "1890"),  # years take no plural
        ("reference 18901", "1890"),
        ("Hueneme port", "Hue"),
        ("He spent 31 months in prison.", "13 months"),
        ("He was born in 1890.", "19 May 1890"),  # a date asked at day precision needs the day
        ("anything", ""),
    ],
)
def test_different_facts_do_not_match(answer, fact):
    assert not contains_fact(answer, fact, aliases=NO_ALIASES)


def test_bundled_aliases_accept_other_names():
    assert contains_fact("He worked in Canton for Borodin.", "Guangzhou")
    assert contains_fact("He worked in Guangzhou for Borodin.", "Canton")
    assert contains_fact("He lived among Vietnamese in Thailand.", "Siam")
    assert contains_fact("It means Nguyen who loves his country.", "Nguyen the Patriot")
    assert contains_fact("a branch of the museum in Saigon", "Ho Chi Minh City")


def test_one_way_aliases_do_not_accept_the_reverse():
    # "What was Ho Chi Minh City called before?" must not be answered by the new name.
    assert not contains_fact("It was called Ho Chi Minh City.", "Saigon")
    # "What is the Vietnamese for Uncle Ho?" must not be answered by the English name.
    assert not contains_fact("He is called Uncle Ho.", "Bac Ho")


def test_alias_table_from_a_file(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("term,also_accepted,note\nPetrograd,Saint Petersburg|Leningrad,same city\n", encoding="utf-8")
    table = load_aliases(path)
    assert contains_fact("the ship reached Leningrad", "Petrograd", aliases=table)
    assert not contains_fact("the ship reached Leningrad", "Petrograd", aliases=NO_ALIASES)


def test_alias_file_problems_name_the_row(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("term,also_accepted,note\nCanton,,missing\nSiam,Thailand,\nSiam,Thai,twice\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        load_aliases(path)
    assert f"{path}:2:" in str(err.value) and f"{path}:4:" in str(err.value)


def test_bundled_alias_table_loads():
    assert len(bundled_aliases().accepts) >= 20
    assert canonical_text("  Twenty-One  ") == "21"


def test_matching_gives_the_same_answer_for_every_answer_of_a_large_evaluation():
    # (its speed is a benchmark's business, not a unit test's: a timed assertion fails on a busy machine)
    answers = [f"Answer number {i}: he left Saigon on 5 June 1911 aboard the Latouche-Treville." for i in range(20000)]
    assert sum(contains_fact(a, "5 June 1911") for a in answers) == len(answers)
    assert not any(contains_fact(a, "5 June 1912") for a in answers[:100])
