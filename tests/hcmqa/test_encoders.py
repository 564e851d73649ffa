"""The base sentence encoders: the wheel-split mpnet archive is joined, checked and unpacked once."""

from __future__ import annotations

import dataclasses
import os

import pytest

from hcmqa.encoders import ENCODERS, Encoder, _unpack, encoder_dir, get_encoder
from hcmqa.home import Home


def test_an_unknown_encoder_is_a_clear_error_naming_the_field():
    from hcmqa.retriever_training import RetrieverSettings

    with pytest.raises(ValueError, match="base_encoder: 'bert' is not one of auto, minilm, mpnet"):
        RetrieverSettings(base_encoder="bert")
    with pytest.raises(ValueError, match="train_dtype"):
        RetrieverSettings(train_dtype="float8")
    with pytest.raises(ValueError, match="unknown encoder 'bert'"):
        get_encoder("bert")


def test_auto_trains_mpnet_only_where_bfloat16_is_native(monkeypatch):
    import torch

    import hcmqa.models
    from hcmqa.retriever_training import RetrieverSettings

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(hcmqa.models, "preferred_inference_dtype", lambda: "bfloat16")
    assert (RetrieverSettings().resolved().base_encoder, RetrieverSettings().resolved().train_dtype) == ("mpnet", "bfloat16")
    assert RetrieverSettings(train_dtype="float32").resolved().base_encoder == "minilm"
    monkeypatch.setattr(hcmqa.models, "preferred_inference_dtype", lambda: "float32")
    assert (RetrieverSettings().resolved().base_encoder, RetrieverSettings().resolved().train_dtype) == ("minilm", "float32")
    # an encoder asked for by name is kept whatever the hardware
    assert RetrieverSettings(base_encoder="mpnet").resolved().base_encoder == "mpnet"


def test_a_missing_wheel_names_the_pip_command(tmp_path):
    missing = Encoder(name="ghost", label="ghost", install="pip install ghost-part-1==1.0", parts=(("ghost-part-1", "ghost/part.1"),), sha256="0" * 64, folder="ghost")
    with pytest.raises(FileNotFoundError, match="ghost-part-1 is missing\\): pip install ghost-part-1==1.0"):
        _unpack(missing, tmp_path / "ghost")
    assert list(tmp_path.iterdir()) == []


def test_a_checksum_mismatch_leaves_nothing_behind(tmp_path):
    tampered = dataclasses.replace(ENCODERS["mpnet"], sha256="0" * 64)
    with pytest.raises(ValueError, match="expected 0000"):
        _unpack(tampered, tmp_path / "all-mpnet-base-v2")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_mpnet_is_unpacked_once_and_loads(tmp_path):
    from sentence_transformers import SentenceTransformer

    home = Home(tmp_path / "home")
    path = encoder_dir("mpnet", home)
    assert path == home.models_dir / "encoders" / "all-mpnet-base-v2"
    names = sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())
    assert "model.safetensors" in names and "1_Pooling/config.json" in names
    assert not any(n.endswith("desktop.ini") or n.endswith(".zip") for n in names)
    stamp = os.stat(path / "model.safetensors").st_mtime_ns
    assert encoder_dir("mpnet", home) == path and os.stat(path / "model.safetensors").st_mtime_ns == stamp
    model = SentenceTransformer(str(path), device="cpu")
    vectors = model.encode(["Where was Ho Chi Minh born?", "He was born in Kim Lien, Nghe An.", "The Eiffel Tower is in Paris."], normalize_embeddings=True)
    assert vectors.shape == (3, 768)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
