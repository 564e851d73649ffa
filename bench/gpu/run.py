"""CUDA proof run: the card's bf16 ceiling, a 4-bit load of a model larger than the default,
a short QLoRA trial through the product's own training code, and batched generation.

No checkpoint larger than SmolLM2-135M can be had offline, so the larger model is SmolLM2-1.7B's
architecture (Llama, 24 layers, hidden 2048, 49,152-token vocabulary) with seeded random weights,
written as bf16 safetensors beside the SmolLM2 tokenizer and then loaded the way a trial loads
any base model: ``hcmqa.models.load_model(..., load_in_4bit=True)`` (bitsandbytes NF4). Speed
does not depend on the weights' values; answer quality does, so this run reports speed and
memory only. The trial itself is ``hcmqa.training.run_trial`` in closed-book mode (a grounded
trial needs the dataset's retriever, whose weights are too large to send to the card's machine).

    python -m bench.gpu.run --tokenizer DIR --dataset DIR --out DIR

Figures (JSON and a Markdown table) go to ``--out``. FLOP counts: a forward pass costs about
2 x parameters per token; a LoRA training step about 4 x (forward, and the backward pass through
the frozen weights; the adapters' own gradients are negligible).
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

SMOLLM2_1_7B = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "vocab_size": 49152,
    "hidden_size": 2048,
    "intermediate_size": 8192,
    "num_hidden_layers": 24,
    "num_attention_heads": 32,
    "num_key_value_heads": 32,
    "max_position_embeddings": 8192,
    "rope_theta": 130000.0,
    "rms_norm_eps": 1e-5,
    "tie_word_embeddings": True,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "pad_token_id": 2,
}


def matmul_tflops(torch, m: int, k: int, n: int, dtype, reps: int = 10) -> float:
    a = torch.randn(m, k, device="cuda", dtype=dtype)
    b = torch.randn(k, n, device="cuda", dtype=dtype)
    for _ in range(3):
        a @ b
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(reps):
        a @ b
    end.record()
    torch.cuda.synchronize()
    seconds = start.elapsed_time(end) / 1000 / reps
    return 2 * m * k * n / seconds / 1e12


# a two-layer model of the same family: checks this script on a CPU before a GPU run
TINY = {**SMOLLM2_1_7B, "hidden_size": 128, "intermediate_size": 256, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4}


def sync(torch) -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def make_model(torch, tokenizer_dir: Path, out: Path, shape: dict, device: str) -> int:
    """Seeded random weights at the given shape, saved as bf16 safetensors with the tokenizer."""
    from transformers import AutoModelForCausalLM, LlamaConfig

    torch.manual_seed(0)
    config = LlamaConfig(**{k: v for k, v in shape.items() if k not in ("architectures", "model_type")})
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    params = sum(p.numel() for p in model.parameters())
    model.save_pretrained(out, safe_serialization=True)
    for f in tokenizer_dir.iterdir():
        if f.name.startswith(("tokenizer", "special_tokens", "chat_template", "vocab", "merges")):
            shutil.copy(f, out / f.name)
    del model
    if device == "cuda":
        torch.cuda.empty_cache()
    return params


def grounded_prompts(tokenizer, dataset: Path, n: int) -> list[str]:
    """Prompts shaped like the product's grounded ones: a question and three numbered passages."""
    from hcmqa.data.passages import read_passages
    from hcmqa.data.qa import read_split
    from hcmqa.prompts import build_messages, render_prompt

    passages = read_passages(dataset / "passages.jsonl")
    pairs = read_split(dataset, "test_paraphrase")
    prompts = []
    for i in range(n):
        pair = pairs[i % len(pairs)]
        context = [passages[(7 * i + j) % len(passages)].text[:600] for j in range(3)]
        prompts.append(render_prompt(tokenizer, build_messages(pair.question, context, "grounded")))
    return prompts


def timed_generation(torch, model, tokenizer, prompts: list[str], batch_size: int, new_tokens: int) -> dict:
    from hcmqa.generation import Generator

    generator = Generator(model, tokenizer, max_new_tokens=new_tokens, batch_size=batch_size)
    generator.generate(prompts[:batch_size])  # warm-up: kernels, allocator
    sync(torch)
    began = time.perf_counter()
    generator.generate(prompts)
    sync(torch)
    seconds = time.perf_counter() - began
    prompt_tokens = sum(len(tokenizer(p, add_special_tokens=False)["input_ids"]) for p in prompts)
    return {"questions": len(prompts), "seconds": round(seconds, 2), "questions_per_second": round(len(prompts) / seconds, 1),
            "new_tokens_per_second_upper": round(len(prompts) * new_tokens / seconds, 0), "mean_prompt_tokens": round(prompt_tokens / len(prompts), 1),
            "prompt_tokens": prompt_tokens, "batch_size": batch_size, "max_new_tokens": new_tokens}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokenizer", required=True, help="a folder holding the SmolLM2 tokenizer files")
    parser.add_argument("--dataset", required=True, help="a built dataset folder (manifest, splits, passages)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--work", default="/tmp/hcmqa-gpu")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--questions", type=int, default=256)
    parser.add_argument("--tiny", action="store_true", help="a two-layer model on whatever device there is: checks the script, measures nothing")
    args = parser.parse_args()

    import torch

    cuda = torch.cuda.is_available()
    if not cuda and not args.tiny:
        print("no CUDA device: this benchmark proves the CUDA path and needs one", file=sys.stderr)
        return 2
    import bitsandbytes
    import peft
    import transformers

    from hcmqa.config import TrialConfig
    from hcmqa.models import load_model, load_tokenizer
    from hcmqa.training import run_trial

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    report: dict = {
        "gpu": torch.cuda.get_device_name(0) if cuda else "none (CPU)",
        "versions": {"python": platform.python_version(), "torch": torch.__version__, "cuda": torch.version.cuda, "transformers": transformers.__version__,
                     "peft": peft.__version__, "bitsandbytes": bitsandbytes.__version__},
    }
    print(json.dumps(report), flush=True)

    # 1. ceiling: dense bf16 and fp32 matrix products, large and at the model's own shapes
    report["ceiling_tflops"] = {
        "bf16_8192": round(matmul_tflops(torch, 8192, 8192, 8192, torch.bfloat16), 1),
        "bf16_model_mlp": round(matmul_tflops(torch, 8192, 2048, 8192, torch.bfloat16), 1),
        "fp32_8192": round(matmul_tflops(torch, 8192, 8192, 8192, torch.float32), 1),
    } if cuda else {"bf16_8192": float("nan")}
    ceiling = report["ceiling_tflops"]["bf16_8192"]
    print("ceiling", report["ceiling_tflops"], flush=True)

    # 2. the larger model, then its 4-bit load through the product's loader
    model_dir = work / "smollm2-1.7b-shape"
    began = time.perf_counter()
    params = make_model(torch, Path(args.tokenizer), model_dir, TINY if args.tiny else SMOLLM2_1_7B, "cuda" if cuda else "cpu")
    report["model"] = {"shape": "tiny (2 layers, random weights)" if args.tiny else "SmolLM2-1.7B (random weights)", "parameters": params, "written_seconds": round(time.perf_counter() - began, 1)}
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    began = time.perf_counter()
    model = load_model(str(model_dir), load_in_4bit=True, compute_dtype="bfloat16")
    report["load_4bit"] = {"seconds": round(time.perf_counter() - began, 1), "gpu_memory_gib": round(torch.cuda.memory_allocated() / 2**30, 2) if cuda else None,
                           "linear4bit_layers": sum(1 for m in model.modules() if isinstance(m, bitsandbytes.nn.Linear4bit))}
    print("load", report["load_4bit"], flush=True)

    # 3. batched generation: 4-bit NF4 and plain bf16, grounded-length prompts
    tokenizer = load_tokenizer(str(model_dir))
    prompts = grounded_prompts(tokenizer, Path(args.dataset), args.questions)
    report["generation_4bit"] = timed_generation(torch, model, tokenizer, prompts, batch_size=64, new_tokens=48)
    print("generation 4-bit", report["generation_4bit"], flush=True)
    del model
    if cuda:
        torch.cuda.empty_cache()
    model = load_model(str(model_dir), load_in_4bit=False, compute_dtype="bfloat16")
    report["generation_bf16"] = timed_generation(torch, model, tokenizer, prompts, batch_size=64, new_tokens=48)
    print("generation bf16", report["generation_bf16"], flush=True)
    del model
    if cuda:
        torch.cuda.empty_cache()
    for key in ("generation_4bit", "generation_bf16"):
        g = report[key]
        flops = 2 * params * (g["prompt_tokens"] + g["questions"] * g["max_new_tokens"])
        g["tflops_upper"] = round(flops / g["seconds"] / 1e12, 2)
        g["ceiling_fraction_upper"] = round(g["tflops_upper"] / ceiling, 4)

    # 4. a short QLoRA trial through run_trial: 4-bit base, bf16 autocast, LoRA on every linear layer
    config = TrialConfig(name="gpu-proof", base_model=str(model_dir), mode="closed_book", compute_dtype="bfloat16", batch_size=args.batch_size,
                         max_steps=args.steps, eval_steps=args.steps, logging_steps=10, val_limit=64, eval_generate_samples=16,
                         early_stopping_patience=0, max_seq_length=384)
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    result = run_trial(config, Path(args.dataset), work / "trial", work, resume=False)
    s = result.summary
    manifest = json.loads((work / "trial" / "manifest.json").read_text())
    train = {k: s[k] for k in ("global_step", "train_seconds", "tokens_seen", "tokens_per_second", "train_loss", "best_eval_loss", "trainable_parameters", "total_parameters")}
    train["status"] = result.status
    train["device"] = manifest.get("device")
    train["peak_gpu_memory_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2) if cuda else None
    train["tflops_lower"] = round(4 * params * s["tokens_per_second"] / 1e12, 2)
    train["ceiling_fraction_lower"] = round(train["tflops_lower"] / ceiling, 4)
    report["training"] = train
    print("training", train, flush=True)

    (out / "gpu.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
