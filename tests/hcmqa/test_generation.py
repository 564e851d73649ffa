"""Generation on the real embedded model (float32): a single prompt decodes with prompt lookup
and keeps the greedy answer; a batch decodes plainly and comes back in the caller's order."""

from __future__ import annotations

import pytest

from hcmqa.generation import Generator

PASSAGE = ("On 2 September 1945, in Ba Dinh Square in Hanoi, Ho Chi Minh read the Declaration of "
           "Independence of the Democratic Republic of Vietnam before a large crowd.")


@pytest.fixture(scope="module")
def model_and_tokenizer(model_dir):
    from hcmqa.models import load_model, load_tokenizer

    return load_model(str(model_dir)), load_tokenizer(str(model_dir))


def _prompt(tokenizer, question: str) -> str:
    messages = [{"role": "system", "content": "Answer from the passage."},
                {"role": "user", "content": f"Passage: {PASSAGE}\n\nQuestion: {question}"}]
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def _forward_calls(model):
    calls = []
    handle = model.register_forward_hook(lambda *_: calls.append(1))
    return calls, handle


def test_a_single_prompt_uses_prompt_lookup_and_keeps_the_greedy_answer(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    prompt = _prompt(tokenizer, "Where and when did Ho Chi Minh read the Declaration of Independence?")
    plain = Generator(model, tokenizer, max_new_tokens=40, prompt_lookup_tokens=0)
    lookup = Generator(model, tokenizer, max_new_tokens=40)
    assert lookup.prompt_lookup_tokens > 0
    calls, handle = _forward_calls(model)
    try:
        expected = plain.generate([prompt])[0].text
        plain_calls = len(calls)
        calls.clear()
        got = lookup.generate([prompt])[0].text
        lookup_calls = len(calls)
    finally:
        handle.remove()
    assert got == expected and expected
    # the reply copies words of the passage, so lookup accepts several tokens in some passes
    assert lookup_calls < plain_calls


def test_a_batch_decodes_plainly_and_keeps_the_callers_order(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    questions = ["Where was the Declaration read?", "When was the Declaration of Independence read by Ho Chi Minh?", "Who read it?"]
    prompts = [_prompt(tokenizer, q) for q in questions]
    generator = Generator(model, tokenizer, max_new_tokens=24, batch_size=3)
    single = Generator(model, tokenizer, max_new_tokens=24, prompt_lookup_tokens=0)
    calls, handle = _forward_calls(model)
    try:
        batched = generator.generate(prompts)
        batch_calls = len(calls)
    finally:
        handle.remove()
    assert batch_calls <= 24  # one pass per new token for the whole batch: no per-prompt lookup
    assert [g.text for g in batched] == [single.generate([p])[0].text for p in prompts]


def test_the_preallocated_cache_holds_what_concatenation_would_and_allocates_once():
    import torch

    from transformers import LlamaConfig

    from hcmqa.generation import preallocated_cache

    cache = preallocated_cache(LlamaConfig(num_hidden_layers=1), capacity=8)
    layer = cache.layers[0]
    steps = [torch.randn(2, 3, n, 4) for n in (5, 1, 1)]
    concatenated = []
    for step in steps:
        keys, values = layer.update(step, -step)
        concatenated.append(step)
        assert torch.equal(keys, torch.cat(concatenated, dim=-2)) and torch.equal(values, -keys)
        assert keys.untyped_storage().data_ptr() == layer._keys.untyped_storage().data_ptr()
    storage = keys.untyped_storage().data_ptr()
    cache.crop(-1)  # as assisted decoding drops a rejected draft token
    keys, _ = layer.update(steps[2] * 2, steps[2])
    assert keys.shape[-2] == 7 and torch.equal(keys[:, :, -1:], steps[2] * 2)
    assert keys.untyped_storage().data_ptr() == storage  # written in place, not copied
    keys, _ = layer.update(torch.randn(2, 3, 3, 4), torch.randn(2, 3, 3, 4))  # past its capacity: grows once
    assert keys.shape[-2] == 10 and torch.equal(keys[:, :, :7], torch.cat(concatenated[:2] + [steps[2] * 2], dim=-2))


def test_a_batch_with_the_preallocated_cache_gives_the_concatenating_caches_answers(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    questions = ["Where was the Declaration read?", "When was the Declaration of Independence read by Ho Chi Minh?", "Who read it?"]
    prompts = [_prompt(tokenizer, q) for q in questions]
    fast = Generator(model, tokenizer, max_new_tokens=24, batch_size=3)
    plain = Generator(model, tokenizer, max_new_tokens=24, batch_size=3, preallocate=False)
    assert [g.text for g in fast.generate(prompts)] == [g.text for g in plain.generate(prompts)]
