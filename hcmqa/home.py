"""The data folder (``HCMQA_HOME``) and the name of everything kept in it.

The command line, the workers and the web app share one folder: prepared models, built
datasets, the topic gate, trial runs, uploads and the embedded SQLite files. Its layout is
written down here once, so the three never disagree about where a file lives.

Plain on purpose (the standard library and platformdirs): the web app imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: The environment variable naming the data folder.
HOME_VARIABLE = "HCMQA_HOME"
#: The fitted gate pipeline and its metadata, inside a gate directory.
GATE_FILE = "gate.joblib"
GATE_META_FILE = "gate.json"
#: The dataset name used when none is given.
DEFAULT_DATASET_NAME = "default"


@dataclass(frozen=True)
class Home:
    """One data folder and the paths inside it."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "Home":
        """``HCMQA_HOME`` (``~`` expanded), else the user cache directory (``~/.cache/hcmqa``
        on Linux, ``~/Library/Caches/hcmqa`` on macOS). An empty value counts as unset."""
        raw = environ.get(HOME_VARIABLE)
        if raw:
            return cls(Path(raw).expanduser())
        from platformdirs import user_cache_path

        return cls(user_cache_path("hcmqa"))

    @property
    def models_dir(self) -> Path:
        """Prepared base models, one directory each."""
        return self.root / "models"

    @property
    def datasets_dir(self) -> Path:
        """Built datasets, ``<name>-<version>`` each."""
        return self.root / "datasets"

    @property
    def gate_dir(self) -> Path:
        """The topic gate the assistants use."""
        return self.root / "gate"

    @property
    def gate_file(self) -> Path:
        """The gate's fitted pipeline; its modification time says when it was retrained."""
        return self.gate_dir / GATE_FILE

    @property
    def runs_dir(self) -> Path:
        """Run directories of trials trained by the workers."""
        return self.root / "runs"

    @property
    def uploads_dir(self) -> Path:
        """Datasets uploaded through the web app, one directory per dataset id."""
        return self.root / "uploads"

    @property
    def database_file(self) -> Path:
        """The embedded SQLite database."""
        return self.root / "hcmqa.db"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database_file}"

    @property
    def broker_file(self) -> Path:
        """The embedded Celery broker (kombu's SQLAlchemy transport over SQLite)."""
        return self.root / "broker.db"

    @property
    def broker_url(self) -> str:
        return f"sqla+sqlite:///{self.broker_file}"

    @property
    def secret_key_file(self) -> Path:
        """The web app's generated session-signing key."""
        return self.root / "secret_key"

    def latest_dataset(self, name: str = DEFAULT_DATASET_NAME) -> Path:
        """The most recently built dataset called ``name`` under :attr:`datasets_dir`."""
        root = self.datasets_dir
        candidates = [p for p in root.glob(f"{name}-*") if (p / "manifest.json").is_file()] if root.is_dir() else []
        if not candidates:
            raise FileNotFoundError(f"no dataset named {name!r} under {root}; run: hcmqa data build")
        return max(candidates, key=lambda p: (p / "manifest.json").stat().st_mtime)
