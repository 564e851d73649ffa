"""Generation through OpenVINO GenAI: the same prompts and greedy decoding as
:class:`hcmqa.generation.Generator`, faster on a CPU.

OpenVINO's CPU plugin runs the model's matrix products on AMX tiles in bfloat16 where the CPU
has them, keeps keys and values in paged blocks and schedules every prompt of a call together
(continuous batching), so short prompts do not wait on padding to the longest. bench/batch
measures it against transformers on the same prompts, in the same run.

A model is used in OpenVINO's own format (IR), exported once per base model or trial:

- the trial's LoRA adapter is merged into float32 weights and saved with the tokenizer, by
  this package (transformers and peft, as everywhere else);
- optimum-intel turns that checkpoint into a stateful IR with its tokenizer models. It is the
  library made for this export, but its releases need an older transformers than this
  project pins, so it lives in a separate environment (``make install-openvino`` builds
  ``.venv-openvino``; ``HCMQA_OPENVINO_EXPORTER`` names another ``optimum-cli``) and is run as
  a program. Nothing else of it is imported here.

Answering needs only ``openvino-genai``, a dependency of this package.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable

from hcmqa.generation import Generated, clean_answer

#: Where a trial keeps its export (``<run>/openvino``); a base model's lives beside it in the
#: models folder (``<home>/models/<name>-openvino``).
EXPORT_DIR = "openvino"
EXPORTER_ENV = "HCMQA_OPENVINO_EXPORTER"
MARKER = "hcmqa-export.json"
#: Prompt lookup for a single prompt: tokens proposed per step, and the longest n-gram of the
#: prompt matched to find them (see :class:`OpenVINOGenerator`).
PROMPT_LOOKUP_TOKENS = 5
PROMPT_LOOKUP_NGRAM = 3
#: Tokens the scheduler computes in one pass of a batch. Without a limit OpenVINO prefills every
#: prompt of a call in a single pass (whose activations probably outgrow the caches); passes of 8,192
#: tokens answered 192 grounded prompts about 5% faster on a 2-core Xeon with AMX, with the
#: same answers (bench/batch/RESULTS.md).
BATCH_TOKENS = 8192


def exporter() -> Path:
    """The ``optimum-cli`` that exports to OpenVINO: ``$HCMQA_OPENVINO_EXPORTER`` or the project's ``.venv-openvino``."""
    named = os.environ.get(EXPORTER_ENV)
    path = Path(named) if named else Path(__file__).resolve().parents[1] / ".venv-openvino" / "bin" / "optimum-cli"
    if not path.is_file():
        raise FileNotFoundError(
            f"no OpenVINO exporter at {path}: run 'make install-openvino' (it builds .venv-openvino with optimum-intel), or set {EXPORTER_ENV} to an optimum-cli"
        )
    return path


def export_dir_for(model_path: str | Path, run_dir: str | Path | None) -> Path:
    """Where the export of a trial (``run_dir``) or of a base model (``model_path``) lives."""
    if run_dir is not None:
        return Path(run_dir) / EXPORT_DIR
    model_path = Path(model_path)
    return model_path.with_name(f"{model_path.name}-{EXPORT_DIR}")


def is_exported(out_dir: str | Path) -> bool:
    out_dir = Path(out_dir)
    return (out_dir / MARKER).is_file() and (out_dir / "openvino_model.xml").is_file()


def export_model(model_path: str | Path, adapter_dir: str | Path | None, out_dir: str | Path, progress: Callable[[str], None] = lambda _: None) -> Path:
    """Export the base model at ``model_path``, with ``adapter_dir`` merged into it, to an OpenVINO model in ``out_dir``.

    Everything is written beside ``out_dir`` first and moved into place when complete, so a
    failed export leaves nothing that looks usable. Returns ``out_dir``.
    """
    from hcmqa.models import load_model, load_tokenizer

    out_dir = Path(out_dir)
    cli = exporter()
    began = time.perf_counter()
    work = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        merged = work / "merged"
        progress(f"openvino: merging {'the adapter into ' if adapter_dir else ''}{model_path} in float32")
        model = load_model(str(model_path), compute_dtype="float32")
        if adapter_dir:
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()
        model.save_pretrained(merged, safe_serialization=True)
        load_tokenizer(str(model_path)).save_pretrained(merged)
        del model
        progress(f"openvino: exporting with {cli}")
        command = [str(cli), "export", "openvino", "--model", str(merged), "--task", "text-generation-with-past", "--weight-format", "fp32", str(work / "model")]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0 or not (work / "model" / "openvino_model.xml").is_file():
            tail = "\n".join((done.stderr or done.stdout or "").strip().splitlines()[-15:])
            raise RuntimeError(f"OpenVINO export of {model_path} failed (exit {done.returncode}):\n{tail}")
        marker = {"base_model": str(model_path), "adapter": str(adapter_dir) if adapter_dir else None, "weights": "float32", "seconds": round(time.perf_counter() - began, 1)}
        (work / "model" / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        shutil.rmtree(out_dir, ignore_errors=True)
        os.replace(work / "model", out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    progress(f"openvino: exported to {out_dir} in {time.perf_counter() - began:.0f} s")
    return out_dir


class OpenVINOGenerator:
    """An exported model that answers rendered prompts, as :class:`hcmqa.generation.Generator` does.

    All the prompts of a call up to ``batch_size`` go to OpenVINO together; its scheduler
    batches them by itself. ``dtype`` ``bfloat16`` computes and caches keys and values in
    bfloat16 (AMX or AVX512-BF16), ``float32`` in float32: with float32 the answers are
    transformers' float32 answers (bench/batch compares them).

    A batch is computed ``batch_tokens`` tokens a pass (prompts' prefill split across passes,
    each decoding step of every running prompt first), and the keys and values of prefixes
    already computed, the shared system prompt above all, are reused rather than recomputed.

    A call with one prompt (a chat turn, a single question) decodes with OpenVINO's prompt
    lookup, as the transformers engine does with its own: n-grams of the prompt are proposed
    as the next ``prompt_lookup_tokens`` tokens and checked in one pass, which suits grounded
    answers, which copy from their sources. OpenVINO builds a pipeline with lookup
    (``prompt_lookup=True``) that then refuses a call without lookup settings, so that
    pipeline is a second one, compiled the first time a single prompt comes; batches keep the
    plain pipeline. ``prompt_lookup_tokens=0`` decodes single prompts plainly too. bench/batch
    measures both on single questions. :meth:`prepare_single` compiles the lookup pipeline
    ahead of the first single prompt; a worker does so when it loads an assistant.
    """

    def __init__(self, model_dir: str | Path, max_new_tokens: int = 48, batch_size: int = 256, dtype: str = "auto",
                 prompt_lookup_tokens: int = PROMPT_LOOKUP_TOKENS, batch_tokens: int = BATCH_TOKENS):
        import openvino_genai

        from hcmqa.models import load_tokenizer, resolve_compute_dtype

        if batch_size < 1:
            raise ValueError(f"batch_size: must be at least 1, got {batch_size}")
        if prompt_lookup_tokens < 0:
            raise ValueError(f"prompt_lookup_tokens: must be 0 (off) or more, got {prompt_lookup_tokens}")
        if batch_tokens < 1:
            raise ValueError(f"batch_tokens: must be at least 1, got {batch_tokens}")
        self.dtype = resolve_compute_dtype(dtype)
        if self.dtype not in ("float32", "bfloat16"):
            raise ValueError(f"dtype: the OpenVINO engine computes in float32 or bfloat16 on the CPU, not {self.dtype}")
        precision = "bf16" if self.dtype == "bfloat16" else "f32"
        self.model_dir = Path(model_dir)
        self._properties = {"INFERENCE_PRECISION_HINT": precision, "KV_CACHE_PRECISION": precision}
        scheduler = openvino_genai.SchedulerConfig()
        scheduler.max_num_batched_tokens = batch_tokens
        scheduler.enable_prefix_caching = True
        self.batch_tokens = batch_tokens
        self.pipeline = openvino_genai.LLMPipeline(str(model_dir), "CPU", scheduler_config=scheduler, **self._properties)
        self.prompt_lookup_tokens = prompt_lookup_tokens
        self.tokenizer = load_tokenizer(str(model_dir))
        self.model = None  # no torch module: teacher-forced scores need the transformers engine
        self.max_new_tokens = max_new_tokens
        self.batch_size = batch_size
        self.engine = "openvino"

    @functools.cached_property
    def lookup_pipeline(self):
        """The pipeline that decodes a single prompt with prompt lookup (built on first use)."""
        import openvino_genai

        return openvino_genai.LLMPipeline(str(self.model_dir), "CPU", prompt_lookup=True, **self._properties)

    def prepare_single(self) -> None:
        """Compile the single-prompt pipeline now (about a second), so that the first chat turn does not wait for it."""
        if self.prompt_lookup_tokens > 0:
            self.lookup_pipeline  # noqa: B018 - a cached property: reading it builds it

    def generate(self, prompts: list[str], progress: Callable[[int, int], None] | None = None) -> list[Generated]:
        if not prompts:
            return []
        lookup = len(prompts) == 1 and self.prompt_lookup_tokens > 0
        pipeline = self.lookup_pipeline if lookup else self.pipeline
        config = pipeline.get_generation_config()
        config.max_new_tokens = self.max_new_tokens
        config.do_sample = False
        config.apply_chat_template = False  # the prompts are rendered already
        if lookup:
            config.num_assistant_tokens = self.prompt_lookup_tokens
            config.max_ngram_size = PROMPT_LOOKUP_NGRAM
        results: list[Generated] = []
        for start in range(0, len(prompts), self.batch_size):
            chunk = prompts[start : start + self.batch_size]
            began = time.perf_counter()
            texts = list(pipeline.generate(chunk, config).texts)
            share = (time.perf_counter() - began) / len(chunk)
            results.extend(Generated(clean_answer(t), share) for t in texts)
            if progress:
                progress(len(results), len(prompts))
        return results


def load_openvino_generator(model_path: str, adapter_dir: str | None, run_dir: str | Path | None, max_new_tokens: int = 48, batch_size: int = 256, dtype: str = "auto",
                            progress: Callable[[str], None] = lambda _: None, prompt_lookup_tokens: int = PROMPT_LOOKUP_TOKENS) -> OpenVINOGenerator:
    """The OpenVINO engine for a trial or a base model, exporting it first when it has no export yet."""
    out_dir = export_dir_for(model_path, run_dir)
    if not is_exported(out_dir):
        export_model(model_path, adapter_dir, out_dir, progress=progress)
    return OpenVINOGenerator(out_dir, max_new_tokens=max_new_tokens, batch_size=batch_size, dtype=dtype, prompt_lookup_tokens=prompt_lookup_tokens)
