"""The worker's cache of loaded assistants: one load per key, and single-question decoding prepared at load."""

from types import SimpleNamespace

import hcmqa.answering
from worker.assistants import AssistantCache


class Engine:
    def __init__(self):
        self.prepared = 0

    def prepare_single(self):
        self.prepared += 1


def test_an_assistant_is_loaded_once_and_its_engine_prepares_single_questions_at_load(tmp_path, monkeypatch):
    loaded = []

    def load_assistant(run_dir, home, dataset_dir=None, engine="transformers"):
        # the transformers engine has nothing to prepare; OpenVINO's compiles its lookup pipeline
        assistant = SimpleNamespace(generator=Engine() if engine == "openvino" else SimpleNamespace())
        loaded.append((run_dir, engine, assistant))
        return assistant

    monkeypatch.setattr(hcmqa.answering, "load_assistant", load_assistant)
    cache = AssistantCache(size=2)
    first = cache.get(None, tmp_path, engine="openvino")
    assert first.generator.prepared == 1
    assert cache.get(None, tmp_path, engine="openvino") is first and first.generator.prepared == 1
    plain = cache.get(None, tmp_path, engine="transformers")
    assert plain is not first and not hasattr(plain.generator, "prepared")
    assert [(run, engine) for run, engine, _ in loaded] == [(None, "openvino"), (None, "transformers")] and cache.loads == 2
