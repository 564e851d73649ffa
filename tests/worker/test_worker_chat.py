from worker.answer_job import chat_queries


def test_chat_turns_resolve_follow_ups_against_the_payload_history():
    history = [{"question": "When was Ho Chi Minh born?", "answer": "In 1890.", "related": True}]
    assert chat_queries(history, ["When did he die?"]) == ["When did Ho Chi Minh die?"]
    assert chat_queries([{"question": "Who won?", "answer": "Sorry", "related": False}], ["When did he die?"]) == ["When did he die?"]
    assert chat_queries(None, ["When did he die?"]) is None
    assert chat_queries("not a list", ["q"]) is None
