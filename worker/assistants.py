"""Loaded assistants kept warm in a worker process between answer and evaluation jobs.

Loading a model (and merging its adapter) costs seconds to minutes; FAQ batches for the
same trial arrive one after another. The cache is per process (each prefork child has its
own) and keyed by what determines the assistant: the run directory, the dataset and the
gate's file, so a retrained gate is picked up. It holds ``size`` assistants, least recently
used evicted first, because each one holds a whole model in (GPU) memory.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Optional


log = logging.getLogger(__name__)

Key = tuple[str, str, float, str]


class AssistantCache:
    """A small LRU of ``hcmqa.answering.Assistant`` objects."""

    def __init__(self, size: int = 1):
        self.size = max(1, size)
        self._items: OrderedDict[Key, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.loads = 0

    @staticmethod
    def key(run_dir: Optional[Path], home: Path, dataset_dir: Optional[Path], engine: str = "transformers") -> Key:
        from hcmqa.gate import gate_dir_for
        from hcmqa.home import GATE_FILE

        gate_file = gate_dir_for(home, Path(dataset_dir) if dataset_dir is not None else None) / GATE_FILE
        gate_mtime = gate_file.stat().st_mtime if gate_file.is_file() else 0.0
        run = str(Path(run_dir).resolve()) if run_dir is not None else "<base model>"
        data = str(Path(dataset_dir).resolve()) if dataset_dir is not None else "<latest>"
        return (run, data, gate_mtime, engine)

    def get(self, run_dir: Optional[Path], home: Path, dataset_dir: Optional[Path] = None, engine: str = "transformers") -> Any:
        """The assistant for ``run_dir`` (None: the base model), loading it on a miss."""
        key = self.key(run_dir, home, dataset_dir, engine)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            # Free memory before loading the next model, not after.
            while len(self._items) >= self.size:
                old_key, _ = self._items.popitem(last=False)
                log.info("evicting assistant %s", old_key[0])
                _release_memory()
            from hcmqa.answering import load_assistant

            log.info("loading assistant for %s", key[0])
            assistant = load_assistant(run_dir, home, dataset_dir=dataset_dir, engine=engine)
            # An engine that decodes single questions another way compiles that way now, while
            # the model loads anyway, rather than during a visitor's first chat turn.
            prepare_single = getattr(getattr(assistant, "generator", None), "prepare_single", None)
            if prepare_single is not None:
                prepare_single()
            self.loads += 1
            # Loading trains and saves a gate when there is none yet: key by the gate it used.
            self._items[self.key(run_dir, home, dataset_dir, engine)] = assistant
            return assistant

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            _release_memory()


def _release_memory() -> None:
    gc.collect()
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a core dependency
        return
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


_caches: dict[int, AssistantCache] = {}


def assistant_cache(size: int) -> AssistantCache:
    """This process's cache (one per process; ``size`` applies on creation)."""
    import os

    pid = os.getpid()
    cache = _caches.get(pid)
    if cache is None:
        cache = _caches[pid] = AssistantCache(size)
    return cache
