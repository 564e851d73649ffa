from hcmqa.text import contains_fact, fold, question_key, split_key_facts, strip_diacritics


def test_diacritics_are_ignored_when_matching_key_facts():
    assert contains_fact("Ông sinh ra ở Nghệ An năm 1890.", "Nghe An")
    assert contains_fact("He was born in Nghe An.", "Nghệ An")
    assert contains_fact("Born in ĐÔNG HÀ", "dong ha")
    assert strip_diacritics("Hồ Chí Minh") == "Ho Chi Minh"


def test_key_fact_matching_respects_word_boundaries():
    assert not contains_fact("reference 18901", "1890")
    assert contains_fact("in 1890.", "1890")
    assert not contains_fact("Hueneme port", "Hue")
    assert not contains_fact("anything", "")


def test_fold_and_question_key():
    assert fold("  Nghệ   AN ") == "nghe an"
    assert question_key("When was Hồ Chí Minh born?") == question_key("when was ho chi minh born")
    assert split_key_facts(" 1890 | Nghe An ||") == ["1890", "Nghe An"]
