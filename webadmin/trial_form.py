"""The new-trial form, generated from ``TrialConfig.field_specs()``.

The form has no field list of its own: adding a field to ``TrialConfig`` (with its default and
help string) adds it here. Values travel as text and are validated only by
``TrialConfig.from_dict``, so the form, the API and the CLI accept exactly the same things,
and each field's error is shown next to that field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import hcmqa.config as trial_config
from hcmqa.config import ConfigError, TrialConfig, load_preset

#: Section headings, keyed by the first field of each section (unknown fields join the section before).
SECTIONS = {
    "name": "Trial",
    "lora_r": "LoRA adapters",
    "load_in_4bit": "Quantisation",
    "batch_size": "Optimisation",
    "save_total_limit": "Checkpoints and evaluation",
    "top_k": "Grounded answers",
}


@dataclass(frozen=True)
class FormField:
    name: str
    kind: str  # str, int, float, bool, list
    value: str
    default: str
    help: str
    choices: Optional[tuple[str, ...]]
    error: Optional[str]

    @property
    def changed(self) -> bool:
        return self.value != self.default


@dataclass(frozen=True)
class FormSection:
    title: str
    fields: list[FormField]


def as_text(value: Any) -> str:
    """How a config value appears in an input box (and in the configuration table)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return repr(value)  # round-trips exactly: what is shown is what gets submitted
    return "" if value is None else str(value)


def preset_names() -> list[str]:
    """Names of the presets shipped in ``hcmqa/presets`` (``load_preset`` accepts them)."""
    folder = Path(trial_config.__file__).resolve().parent / "presets"
    return sorted(p.stem for p in folder.glob("*.yaml"))


def initial_values(
    preset: Optional[str] = None, clone_of: Optional[dict[str, Any]] = None
) -> tuple[dict[str, str], Optional[str]]:
    """Starting values for the form: defaults, a preset, or a cloned trial's config.

    Returns the values and a sentence when the preset could not be loaded.
    """
    values = {spec["name"]: as_text(spec["default"]) for spec in TrialConfig.field_specs()}
    if clone_of is not None:
        values.update({k: as_text(v) for k, v in clone_of.items() if k in values})
        values["name"] = (values.get("name", "trial") + "-clone")[:100]
        return values, None
    if preset:
        try:
            values.update({k: as_text(v) for k, v in load_preset(preset).to_dict().items()})
        except ConfigError as exc:
            return values, "; ".join(exc.errors.values())
    return values, None


def form_values(form: Any) -> dict[str, str]:
    """The config fields of a submitted form (other inputs such as csrf_token are ignored)."""
    return {spec["name"]: form.get(spec["name"], "") for spec in TrialConfig.field_specs()}


def parse_config(values: dict[str, str]) -> TrialConfig:
    """Build the config; raises ``ConfigError`` with every field's problem."""
    return TrialConfig.from_dict({k: v for k, v in values.items() if v != ""})


def build_sections(values: dict[str, str], errors: Optional[dict[str, str]] = None) -> list[FormSection]:
    """Fields grouped under headings, each with its value, default, help and error."""
    errors = errors or {}
    sections: list[FormSection] = []
    for spec in TrialConfig.field_specs():
        name = spec["name"]
        if name in SECTIONS or not sections:
            sections.append(FormSection(SECTIONS.get(name, "Trial"), []))
        choices = tuple(spec["choices"]) if spec["choices"] else (("true", "false") if spec["type"] == "bool" else None)
        sections[-1].fields.append(
            FormField(
                name=name,
                kind=spec["type"],
                value=values.get(name, as_text(spec["default"])),
                default=as_text(spec["default"]),
                help=spec["help"],
                choices=choices,
                error=errors.get(name),
            )
        )
    return sections


def config_rows(config: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(field, value, help, differs from default) for a stored config, in field order.

    Fields the current ``TrialConfig`` no longer knows are listed last, so old trials still show
    everything they were run with.
    """
    specs = {spec["name"]: spec for spec in TrialConfig.field_specs()}
    rows = []
    for name, spec in specs.items():
        if name in config:
            value = as_text(config[name])
            rows.append((name, value, spec["help"], value != as_text(spec["default"])))
    rows.extend(
        (name, as_text(value), "(no longer a TrialConfig field)", True)
        for name, value in config.items()
        if name not in specs
    )
    return rows
