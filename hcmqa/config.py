"""``TrialConfig``: the one source of hyperparameters for a fine-tuning trial.

The CLI, the web form and the worker all build a trial through :meth:`TrialConfig.from_dict`,
which reports every invalid field at once. Each field has one default and one help string
(``field(metadata={"help": ...})``); the web form is generated from them.

This module imports nothing heavy, so the web app can use it without torch.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from hcmqa.text import has_control_characters

MODES = ("closed_book", "grounded")
OPTIMIZERS = ("paged_adamw_8bit", "paged_adamw_32bit", "adamw_torch")
SCHEDULERS = ("linear", "cosine", "constant", "constant_with_warmup")
COMPUTE_DTYPES = ("float32", "bfloat16", "float16", "auto")
# what generates answers: transformers, or OpenVINO GenAI (hcmqa.ov_engine)
ENGINES = ("transformers", "openvino")
#: The topic gate's decision threshold on its related score, unless a gate is trained or
#: loaded with another one (the CLI, the gate job and a gate saved without one use this).
DEFAULT_GATE_THRESHOLD = 0.5


class ConfigError(ValueError):
    """Invalid trial configuration. ``errors`` maps each bad field to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("invalid trial configuration:\n" + "\n".join(f"  {k}: {v}" for k, v in errors.items()))


def _f(default: Any, help: str, **kw) -> Any:
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata={"help": help, **kw})
    return field(default=default, metadata={"help": help, **kw})


@dataclass(frozen=True)
class TrialConfig:
    """Hyperparameters of one fine-tuning trial (frozen: a trial never changes after submission)."""

    name: str = _f("trial", "A short name to recognise the trial by.")
    base_model: str = _f("smollm2-135m", "Registry name (smollm2-135m, falcon-7b-instruct), Hugging Face id, or local model directory (from the web admin: a hub id only where HCMQA_ALLOW_HUB_MODELS is on, a directory only under HCMQA_MODELS_ROOT).")
    mode: str = _f("grounded", "closed_book: the question alone (the academic project's setup); grounded: retrieved passages in the prompt.", choices=MODES)
    # LoRA
    lora_r: int = _f(16, "LoRA rank: size of the low-rank update matrices.")
    lora_alpha: int = _f(32, "LoRA scaling numerator (the update is scaled by alpha / r).")
    lora_dropout: float = _f(0.05, "Dropout on the LoRA branch, between 0 and 1.")
    target_modules: tuple[str, ...] = _f(("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"), "Names of the linear layers that get LoRA adapters; checked against the model's real modules.")
    # quantisation
    load_in_4bit: bool = _f(True, "Load the frozen base weights in 4-bit NF4 (QLoRA).")
    double_quant: bool = _f(True, "Quantise the 4-bit quantisation constants too (saves memory).")
    compute_dtype: str = _f("float32", "Dtype for computation: float32 on CPUs, bfloat16 on recent GPUs; auto picks bfloat16 where the hardware computes it natively (CUDA, or CPUs with AVX512-BF16 or AMX; the base weights in bfloat16, the LoRA weights in float32, bfloat16 autocast) and float32 elsewhere.", choices=COMPUTE_DTYPES)
    freeze_first_layers: int = _f(0, "Number of first decoder layers that get no adapters (the academic project froze 16 of 32).")
    # optimisation
    batch_size: int = _f(8, "Examples per device per step.")
    grad_accum: int = _f(1, "Steps whose gradients are accumulated before one optimiser update.")
    learning_rate: float = _f(2e-4, "Peak learning rate.")
    scheduler: str = _f("cosine", "Learning-rate schedule.", choices=SCHEDULERS)
    warmup_ratio: float = _f(0.03, "Share of the steps spent warming the learning rate up, between 0 and 0.5.")
    epochs: float = _f(3.0, "Passes over the training data (ignored when max_steps > 0).")
    max_steps: int = _f(0, "Stop after this many optimiser steps; 0 means use epochs.")
    max_train_minutes: float = _f(0.0, "Stop once training has run this many minutes in one process, evaluating and checkpointing at that step first (the best checkpoint is restored as usual); 0 means no limit.")
    optimizer: str = _f("adamw_torch", "Optimizer; the paged ones need a CUDA GPU.", choices=OPTIMIZERS)
    max_grad_norm: float = _f(1.0, "Gradient clipping norm.")
    weight_decay: float = _f(0.0, "Weight decay.")
    # bookkeeping
    save_total_limit: int = _f(2, "Checkpoints kept on disk (the best one is always kept).")
    eval_steps: int = _f(50, "Evaluate (and checkpoint) every this many steps.")
    logging_steps: int = _f(10, "Log the training loss every this many steps.")
    early_stopping_patience: int = _f(3, "Stop after this many evaluations without improvement of eval loss; 0 disables. The best checkpoint is restored at the end.")
    val_limit: int = _f(200, "Validation questions used for eval loss at each evaluation (taken in a fixed order); 0 uses all.")
    eval_generate_samples: int = _f(24, "Validation questions answered by generation at each evaluation, for honest answer metrics; 0 disables.")
    seed: int = _f(42, "Random seed.")
    max_seq_length: int = _f(384, "Longest tokenised example; longer ones are truncated from the context side.")
    # grounding
    top_k: int = _f(3, "Passages retrieved into a grounded prompt.")
    decline_share: float = _f(0.0, "Share of grounded training questions shown passages without their answer and taught to say so. 0 by default: the dataset's answerability model decides what to decline, and a reader taught to decline said so as often for answerable questions as for unanswerable ones.")
    focus_sentences: int = _f(3, "Best-scoring sentences of the retrieved passages shown to the reader (0: whole passages).")
    quote_sentences: int = _f(2, "Best-scoring source sentences quoted with every grounded answer as its evidence (0: the reader's reply alone).")
    closest_sentences: int = _f(3, "Best-scoring source sentences quoted, with their citations, when the sources do not answer a question directly (the closest they come); one more within quote_tie_margin.")
    quote_tie_margin: float = _f(0.03, "One more sentence is quoted when its score is within this margin of the last one quoted (retrieval cannot tell them apart); 0 quotes exactly quote_sentences.")
    max_new_tokens: int = _f(48, "Longest generated answer, in tokens.")

    # ------------------------------------------------------------------------------------
    @classmethod
    def field_specs(cls) -> list[dict]:
        """Field name, type, default, help and choices, in declaration order (for forms and docs)."""
        specs = []
        for f in fields(cls):
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
            specs.append({"name": f.name, "type": _type_name(f.type), "default": default, "help": f.metadata.get("help", ""), "choices": f.metadata.get("choices")})
        return specs

    @classmethod
    def from_dict(cls, data: dict[str, Any], model_modules: set[str] | None = None) -> "TrialConfig":
        """Build and validate; every invalid or unknown field is reported in one ``ConfigError``.

        Values may be strings (from a web form or YAML); they are converted to the field's
        type. ``model_modules``, when given, are the base model's real linear-layer names,
        against which ``target_modules`` is checked.
        """
        errors: dict[str, str] = {}
        known = {f.name: f for f in fields(cls)}
        for key in data:
            if key not in known:
                errors[key] = f"unknown field (known fields: {', '.join(known)})"
        values: dict[str, Any] = {}
        for name, f in known.items():
            if name not in data or data[name] is None or data[name] == "":
                continue
            try:
                values[name] = _coerce(data[name], _type_name(f.type))
            except (TypeError, ValueError) as exc:
                errors[name] = str(exc)
        # Fields that failed conversion keep their default for the range checks, and their
        # conversion message wins: one message per field, every field at once.
        config = cls(**values)
        for name, message in config.problems(model_modules).items():
            errors.setdefault(name, message)
        if errors:
            raise ConfigError(errors)
        return config

    @classmethod
    def from_file(cls, path: Path) -> "TrialConfig":
        if not path.is_file():
            raise FileNotFoundError(f"{path}: trial config file not found")
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            try:
                data = yaml.safe_load(text) or {}
            except yaml.YAMLError as exc:
                raise ConfigError({"file": f"{path}: not valid YAML ({exc})"}) from None
        else:
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ConfigError({"file": f"{path}: not valid JSON ({exc})"}) from None
        if not isinstance(data, dict):
            raise ConfigError({"file": f"{path}: expected a mapping of field names to values"})
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["target_modules"] = list(self.target_modules)
        return d

    def replace(self, **changes) -> "TrialConfig":
        return TrialConfig.from_dict({**self.to_dict(), **changes})

    def problems(self, model_modules: set[str] | None = None) -> dict[str, str]:
        """Every range and consistency problem of this config, by field."""
        e: dict[str, str] = {}

        def check(name: str, ok: bool, message: str) -> None:
            if not ok and name not in e:
                e[name] = message

        check("name", bool(self.name.strip()) and len(self.name) <= 100, "must be 1 to 100 characters")
        check("name", not has_control_characters(self.name), "must not contain control characters (such as NUL)")
        check("base_model", bool(self.base_model.strip()), "must not be empty")
        check("base_model", len(self.base_model) <= 255, "must be at most 255 characters")
        check("base_model", not has_control_characters(self.base_model), "must not contain control characters (such as NUL)")
        check("mode", self.mode in MODES, f"must be one of {', '.join(MODES)}")
        check("lora_r", 1 <= self.lora_r <= 512, "must be between 1 and 512")
        check("lora_alpha", 1 <= self.lora_alpha <= 4096, "must be between 1 and 4096")
        check("lora_dropout", 0.0 <= self.lora_dropout < 1.0, "must be at least 0 and below 1")
        check("target_modules", len(self.target_modules) > 0, "name at least one module")
        if model_modules is not None and self.target_modules:
            missing = [m for m in self.target_modules if m not in model_modules]
            check("target_modules", not missing, f"not in the model: {', '.join(missing)} (available: {', '.join(sorted(model_modules))})")
        check("compute_dtype", self.compute_dtype in COMPUTE_DTYPES, f"must be one of {', '.join(COMPUTE_DTYPES)}")
        check("freeze_first_layers", 0 <= self.freeze_first_layers <= 1000, "must be between 0 and 1000")
        check("batch_size", 1 <= self.batch_size <= 1024, "must be between 1 and 1024")
        check("grad_accum", 1 <= self.grad_accum <= 1024, "must be between 1 and 1024")
        check("learning_rate", 0.0 < self.learning_rate <= 1.0, "must be above 0 and at most 1")
        check("scheduler", self.scheduler in SCHEDULERS, f"must be one of {', '.join(SCHEDULERS)}")
        check("warmup_ratio", 0.0 <= self.warmup_ratio <= 0.5, "must be between 0 and 0.5")
        check("epochs", 0.0 < self.epochs <= 100 or self.max_steps > 0, "must be above 0 and at most 100 (or set max_steps)")
        check("max_steps", 0 <= self.max_steps <= 1_000_000, "must be between 0 and 1000000")
        check("max_train_minutes", 0.0 <= self.max_train_minutes <= 100_000, "must be between 0 and 100000")
        check("optimizer", self.optimizer in OPTIMIZERS, f"must be one of {', '.join(OPTIMIZERS)}")
        check("max_grad_norm", self.max_grad_norm > 0, "must be above 0")
        check("weight_decay", 0.0 <= self.weight_decay < 1.0, "must be at least 0 and below 1")
        check("save_total_limit", 1 <= self.save_total_limit <= 100, "must be between 1 and 100")
        check("eval_steps", 1 <= self.eval_steps <= 1_000_000, "must be between 1 and 1000000")
        check("logging_steps", 1 <= self.logging_steps <= 1_000_000, "must be between 1 and 1000000")
        check("early_stopping_patience", 0 <= self.early_stopping_patience <= 1000, "must be between 0 and 1000")
        check("val_limit", 0 <= self.val_limit <= 1_000_000, "must be between 0 and 1000000")
        check("seed", 0 <= self.seed <= 2**32 - 1, "must be between 0 and 4294967295")
        check("eval_generate_samples", 0 <= self.eval_generate_samples <= 1000, "must be between 0 and 1000")
        check("max_seq_length", 32 <= self.max_seq_length <= 8192, "must be between 32 and 8192")
        check("top_k", 1 <= self.top_k <= 20, "must be between 1 and 20")
        check("focus_sentences", 0 <= self.focus_sentences <= 50, "must be between 0 and 50")
        check("quote_sentences", 0 <= self.quote_sentences <= 5, "must be between 0 and 5")
        check("closest_sentences", 1 <= self.closest_sentences <= 5, "must be between 1 and 5")
        check("quote_tie_margin", 0.0 <= self.quote_tie_margin <= 1.0, "must be between 0 and 1")
        check("decline_share", 0.0 <= self.decline_share <= 0.5, "must be between 0 and 0.5")
        check("max_new_tokens", 1 <= self.max_new_tokens <= 1024, "must be between 1 and 1024")
        if self.compute_dtype == "float16" and not self.load_in_4bit:
            check("compute_dtype", False, "float16 without 4-bit loading is unsupported here; use float32 or bfloat16")
        return e


def _type_name(tp: Any) -> str:
    text = tp if isinstance(tp, str) else getattr(tp, "__name__", str(tp))
    return {"tuple[str, ...]": "list", "int": "int", "float": "float", "bool": "bool", "str": "str"}.get(text, text)


def _coerce(value: Any, kind: str) -> Any:
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on"):
            return True
        if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "off"):
            return False
        raise ValueError(f"expected true or false, got {value!r}")
    if kind == "int":
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(f"expected a whole number, got {value!r}")
        try:
            return int(str(value).strip()) if isinstance(value, str) else int(value)
        except ValueError:
            raise ValueError(f"expected a whole number, got {value!r}") from None
    if kind == "float":
        if isinstance(value, bool):
            raise ValueError(f"expected a number, got {value!r}")
        try:
            result = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"expected a number, got {value!r}") from None
        if result != result or result in (float("inf"), float("-inf")):
            raise ValueError(f"expected a finite number, got {value!r}")
        return result
    if kind == "list":
        if isinstance(value, str):
            items = [v.strip() for v in value.replace(";", ",").split(",")]
        elif isinstance(value, (list, tuple)):
            items = [str(v).strip() for v in value]
        else:
            raise ValueError(f"expected a list of names, got {value!r}")
        return tuple(v for v in items if v)
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    return value.strip()


def load_preset(name: str) -> TrialConfig:
    """A named preset from ``hcmqa/presets`` (e.g. ``cpu-default``, ``falcon-7b-academic``)."""
    folder = Path(__file__).resolve().parent / "presets"
    known = {p.stem: p for p in folder.glob("*.yaml")}
    # a name, never a path: only the shipped files can be read
    if name not in known:
        shown = name if len(name) <= 60 else name[:60] + "..."
        raise ConfigError({"preset": f"unknown preset {shown!r} (known: {', '.join(sorted(known))})"})
    return TrialConfig.from_file(known[name])
