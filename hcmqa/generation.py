"""Batched greedy generation: prompts sorted by length, left-padded, decoded in order.

Sorting by length keeps padding (wasted compute) small inside each batch; left padding keeps
every prompt's last token next to the first generated one, as decoder-only models need.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Callable

from hcmqa.data.sentences import split_sentences


_ENDS_COMPLETE = tuple(".!?\"'”’)]")


def clean_answer(text: str, max_sentences: int = 2) -> str:
    """First paragraph, at most ``max_sentences`` sentences, trimmed.

    A reply cut off by the token limit loses its unfinished last sentence when a complete one
    comes before it. A lone unfinished sentence loses a dangling, unclosed parenthesis ("...
    Tong Van So (T"), then its unfinished last clause when at least ``_MIN_CLAUSE_WORDS`` words
    come before the clause break (", and while he was away the scholar Huynh Thuc Khang served
    as" goes; the sentence ends with a full stop): half a clause is no claim a visitor should
    read.
    """
    text = text.strip().split("\n\n")[0].strip()
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
    """

    def __init__(self, model, tokenizer, max_new_tokens: int = 48, batch_size: int = 16, prompt_lookup_tokens: int = PROMPT_LOOKUP_TOKENS):
        self.model = model
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
                began = time.perf_counter()
                with torch.inference_mode():
                    out = self.model.generate(
                        **batch,
                        max_new_tokens=self.max_new_tokens,
                        do_sample=False,
                        pad_token_id=self.tokenizer.pad_token_id,
                        eos_token_id=self.tokenizer.eos_token_id,
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
