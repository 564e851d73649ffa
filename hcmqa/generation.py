"""Batched greedy generation: prompts sorted by length, left-padded, decoded in order.

Sorting by length keeps padding (wasted compute) small inside each batch; left padding keeps
every prompt's last token next to the first generated one, as decoder-only models need.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass
from typing import Callable

from hcmqa.data.sentences import split_sentences


_ENDS_COMPLETE = tuple(".!?\"'”’)]")
# "[1]", "[2, 3]": the prompt's passage numbers, which a reply sometimes copies
_CITATION_MARK_RE = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")


def clean_answer(text: str, max_sentences: int = 2) -> str:
    """First paragraph, at most ``max_sentences`` sentences, trimmed.

    A reply cut off by the token limit loses its unfinished last sentence when a complete one
    comes before it. A lone unfinished sentence loses a dangling, unclosed parenthesis ("...
    Tong Van So (T"), then its unfinished last clause when at least ``_MIN_CLAUSE_WORDS`` words
    come before the clause break (", and while he was away the scholar Huynh Thuc Khang served
    as" goes; the sentence ends with a full stop): half a clause is no claim a visitor should
    read.

    Passage numbers the reply copied from its prompt ("[1] He also wrote under pen names.")
    are dropped: its evidence follows it with the citations that belong to it.
    """
    text = text.strip().split("\n\n")[0].strip()
    text = _CITATION_MARK_RE.sub("", text).strip()
    text = re.sub(r"\s+", " ", text)
    sentences = split_sentences(text)[:max_sentences] or ([text] if text else [])
    if sentences and not sentences[-1].endswith(_ENDS_COMPLETE):
        if len(sentences) > 1:
            sentences = sentences[:-1]
        else:
            sentences = [_close_clause(re.sub(r"\s*[(\[][^)\]]*$", "", sentences[0]).rstrip(" ,;:-"))]
    return " ".join(s for s in sentences if s)


_MIN_CLAUSE_WORDS = 5
_CLAUSE_BREAK_RE = re.compile(r"[,;:]\s")


def _close_clause(sentence: str) -> str:
    """``sentence`` up to its last clause break, with a full stop, when enough words remain."""
    breaks = list(_CLAUSE_BREAK_RE.finditer(sentence))
    if breaks:
        kept = sentence[: breaks[-1].start()].rstrip()
        if len(kept.split()) >= _MIN_CLAUSE_WORDS:
            return kept + "."
    return sentence


def preallocated_cache(config, capacity: int):
    """A transformers ``DynamicCache`` whose layers write keys and values into storage sized once.

    transformers' ``DynamicLayer`` appends each step's keys and values with ``torch.cat``, which
    copies the whole cache at every decoding step: for a batch of 32 grounded prompts in
    bfloat16, 300-450 MB of memory traffic a step, more than reading the weights. Here each layer
    allocates ``capacity`` positions (prompt plus new tokens) on its first update, copies each
    step's keys and values into place and hands attention a view of the filled part: the same
    values as ``torch.cat`` gives, so the answers do not change. Nothing in transformers
    does this: its ``StaticCache`` also preallocates but hands attention the whole capacity,
    padding included, at every step.
    """
    from transformers.cache_utils import DynamicCache

    layer_class = _preallocated_layer_class()
    cache = DynamicCache(config=config)
    cache.layers = [layer_class(capacity) for _ in cache.layers]
    return cache


@functools.cache
def _preallocated_layer_class():
    """The layer class of :func:`preallocated_cache`, built once on first use (transformers is
    imported lazily: this module's text helpers must not load it)."""
    from transformers.cache_utils import DynamicLayer

    class PreallocatedLayer(DynamicLayer):
        def __init__(self, capacity: int):
            super().__init__()
            self.capacity = capacity
            self._keys = self._values = self._view = None

        def update(self, key_states, value_states, *args, **kwargs):
            if not self.is_initialized:
                self.lazy_initialization(key_states, value_states)
            start = self.keys.shape[-2] if self.keys.numel() else 0
            end = start + key_states.shape[-2]
            # reallocate when the storage is full or when transformers replaced the view
            # (``batch_select_indices``, ``reorder_cache``): carry what it holds over
            if self.keys is not self._view or end > self._keys.shape[-2]:
                batch, heads, _, dim = key_states.shape
                size = max(end, self.capacity)
                keys = key_states.new_empty((batch, heads, size, dim))
                values = value_states.new_empty((batch, heads, size, value_states.shape[-1]))
                if start:
                    keys[:, :, :start].copy_(self.keys)
                    values[:, :, :start].copy_(self.values)
                self._keys, self._values = keys, values
            self._keys[:, :, start:end].copy_(key_states)
            self._values[:, :, start:end].copy_(value_states)
            self.keys = self._view = self._keys[:, :, :end]
            self.values = self._values[:, :, :end]
            return self.keys, self.values

        def crop(self, tokens_to_remove: int) -> None:
            # assisted decoding drops rejected draft tokens: shorten the view, keep the storage
            super().crop(tokens_to_remove)
            if tokens_to_remove and self.is_initialized and self._keys is not None:
                end = self.keys.shape[-2]
                self.keys = self._view = self._keys[:, :, :end]
                self.values = self._values[:, :, :end]

    return PreallocatedLayer


@dataclass
class Generated:
    text: str
    seconds: float  # share of its batch's wall time


#: Draft tokens proposed by prompt lookup for a single prompt (see :class:`Generator`).
PROMPT_LOOKUP_TOKENS = 10


class Generator:
    """A loaded model and tokenizer that answer rendered prompts in batches.

    A batch of one (a chat turn, a single question) decodes with transformers' prompt lookup
    (``prompt_lookup_num_tokens``): n-grams of the prompt are proposed as the next tokens and
    verified in one forward pass, which keeps the greedy answer (up to the rounding of a
    multi-token pass) and suits grounded answers, which copy from their passages. One token
    at a time, each step reads every weight for one token; with lookup a step can accept
    several. bench/batch measures the latency and the answers of both. Larger batches decode
    plainly: transformers' assisted decoding takes one prompt at a time.

    Keys and values go into a cache sized once per batch (:func:`preallocated_cache`);
    ``preallocate=False`` keeps transformers' own concatenating cache (bench/batch compares).
    """

    def __init__(self, model, tokenizer, max_new_tokens: int = 48, batch_size: int = 16, prompt_lookup_tokens: int = PROMPT_LOOKUP_TOKENS,
                 preallocate: bool = True):
        self.model = model
        self.preallocate = preallocate
        self.tokenizer = tokenizer
        self.max_new_tokens = max_new_tokens
        self.batch_size = batch_size
        self.prompt_lookup_tokens = prompt_lookup_tokens
        self.dtype = str(getattr(model, "dtype", "")).removeprefix("torch.")
        tokenizer.padding_side = "left"

    def generate(self, prompts: list[str], progress: Callable[[int, int], None] | None = None) -> list[Generated]:
        import torch

        if not prompts:
            return []
        encoded = [self.tokenizer(p, add_special_tokens=False)["input_ids"] for p in prompts]
        order = sorted(range(len(prompts)), key=lambda i: len(encoded[i]))
        results: list[Generated | None] = [None] * len(prompts)
        device = next(self.model.parameters()).device
        was_training = self.model.training
        self.model.eval()
        done = 0
        try:
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                batch = self.tokenizer.pad({"input_ids": [encoded[i] for i in idx]}, return_tensors="pt", padding=True)
                batch = {k: v.to(device) for k, v in batch.items()}
                lookup = {"prompt_lookup_num_tokens": self.prompt_lookup_tokens} if len(idx) == 1 and self.prompt_lookup_tokens else {}
                # room for the prompt, the answer and, with lookup, one unaccepted draft
                room = batch["input_ids"].shape[1] + self.max_new_tokens + (self.prompt_lookup_tokens if lookup else 0)
                cache = preallocated_cache(self.model.config, room) if self.preallocate else None
                began = time.perf_counter()
                with torch.inference_mode():
                    out = self.model.generate(
                        **batch,
                        max_new_tokens=self.max_new_tokens,
                        do_sample=False,
                        pad_token_id=self.tokenizer.pad_token_id,
                        eos_token_id=self.tokenizer.eos_token_id,
                        cache=cache,
                        **lookup,
                    )
                share = (time.perf_counter() - began) / len(idx)
                new_tokens = out[:, batch["input_ids"].shape[1] :]
                for row, i in enumerate(idx):
                    text = self.tokenizer.decode(new_tokens[row], skip_special_tokens=True)
                    results[i] = Generated(clean_answer(text), share)
                done += len(idx)
                if progress:
                    progress(done, len(prompts))
        finally:
            if was_training:
                self.model.train()
        return [r for r in results if r is not None]


def load_generator(model_path: str, adapter_dir: str | None = None, max_new_tokens: int = 48, batch_size: int = 16, dtype: str = "auto") -> Generator:
    """Base model (plus a LoRA adapter merged into it) ready for fast inference.

    The adapter is merged into full-precision weights: on a CPU a merged fp32/bf16 model
    generates several times faster than a 4-bit model with a separate LoRA branch. ``auto``
    generates in bfloat16 where the hardware computes it natively and in float32 elsewhere
    (bench/quality measures equal key-fact accuracy in both).
    """
    from hcmqa.models import load_model, load_tokenizer, resolve_compute_dtype

    dtype = resolve_compute_dtype(dtype)
    tokenizer = load_tokenizer(model_path)
    model = load_model(model_path, compute_dtype=dtype)
    if adapter_dir:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter_dir).merge_and_unload()
    model.eval()
    return Generator(model, tokenizer, max_new_tokens=max_new_tokens, batch_size=batch_size)
