"""Training-throughput benchmark: compute dtype, padding, and the fraction of this machine's ceiling.

Every arm uses the same trial config (a preset, shortened to ``--steps`` steps and one final
evaluation on the preset's validation questions) and the same examples in the same order.

- **dtype**: float32, and bfloat16 (base weights in bfloat16, LoRA weights in float32,
  bfloat16 autocast) where the CPU computes it natively. The validation loss after the same
  steps sits next to the speed, so a faster dtype that learns worse shows.
- **padding**: ours pads each batch to its own longest example, batches grouped by length;
  the academic project's setup padded every example to ``max_seq_length`` (float32 only).

Throughput counts real (non-padding) tokens per second of training wall time. The achieved
matrix rate counts, per real token, 2 x the parameters the forward pass multiplies by plus
2 x those the backward pass must propagate through (the adapted layers; the frozen first
layers need no backward pass), and the language-model head in both passes at the share of
tokens it projects (those followed by an answer token); attention scores and LoRA's own small
products are left out, so it is a lower bound. It is divided by this machine's ceiling in the
arm's dtype, measured at the start of the same run (bench/ceiling).

    .venv/bin/python -m bench.training.run --steps 16 --out bench/training/RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.ceiling.run import measure as measure_ceiling  # noqa: E402
from bench.common import header, table  # noqa: E402


def flops_per_token(model_path: str, freeze_first_layers: int, answer_share: float) -> tuple[int, int, int]:
    """(forward, backward, total) matrix FLOPs per real token of a LoRA step with frozen first layers.

    The language-model head projects only the positions followed by an answer token (the
    trial's loss needs no others), a share ``answer_share`` of the real tokens; a tied head
    multiplies by the embedding matrix, once in each pass there. The embedding lookup costs
    no products.
    """
    from hcmqa.models import load_model

    model = load_model(model_path)
    layers = model.model.layers
    per_layer = [sum(p.numel() for p in layer.parameters() if p.dim() == 2) for layer in layers]
    head = model.lm_head.weight.numel() * answer_share
    forward = sum(per_layer) + head
    backward = sum(per_layer[freeze_first_layers:]) + head
    del model
    return round(2 * forward), round(2 * backward), round(2 * (forward + backward))


def answer_share(dataset, config, home) -> float:
    """Answer (loss) tokens per real token over the mode's training examples."""
    from hcmqa.data.qa import read_split
    from hcmqa.models import load_tokenizer, resolve_model
    from hcmqa.retrieval import Retriever
    from hcmqa.training import IGNORE, tokenize_example, training_messages

    tokenizer = load_tokenizer(str(resolve_model(config.base_model, home)))
    retriever = Retriever.from_dataset(dataset) if config.mode == "grounded" else None
    items = [tokenize_example(tokenizer, m, a, config.max_seq_length)
             for m, a in training_messages(read_split(dataset, "train"), config, retriever)]
    return sum(sum(label != IGNORE for label in item["labels"]) for item in items) / sum(len(item["input_ids"]) for item in items)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=16)
    parser.add_argument("--preset", default="cpu-default")
    parser.add_argument("--modes", default="grounded,closed_book", help="trial modes to measure (comma-separated)")
    parser.add_argument("--dtypes", default="float32,bfloat16", help="compute dtypes to compare (bfloat16 is skipped where the CPU lacks it)")
    parser.add_argument("--no-padding-arm", action="store_true", help="skip the padded-to-max-length arm")
    parser.add_argument("--home", default=os.environ.get("HCMQA_HOME", ".hcmqa"))
    parser.add_argument("--out", default="bench/training/RESULTS.md")
    args = parser.parse_args()

    from hcmqa.config import load_preset
    from hcmqa.data.build import build_dataset
    from hcmqa.models import preferred_inference_dtype, resolve_model
    from hcmqa.training import run_trial

    ceiling = measure_ceiling()
    # the model's largest product (prefill-sized MLP up) is the rate a training step could reach
    peak = {"float32": ceiling["shapes"][0]["fp32_gflops"], "bfloat16": ceiling["shapes"][0]["bf16_gflops"]}
    print("ceiling", ceiling, flush=True)
    native_bf16 = preferred_inference_dtype() == "bfloat16"
    dtypes = [d for d in args.dtypes.split(",") if d != "bfloat16" or native_bf16]

    home = Path(args.home)
    dataset = build_dataset(out_root=home / "datasets").path
    base = load_preset(args.preset)
    rows, costs = [], []
    for mode in args.modes.split(","):
        config = base.replace(mode=mode, max_steps=args.steps, eval_steps=args.steps, eval_generate_samples=0,
                              early_stopping_patience=0, logging_steps=args.steps)
        share = answer_share(dataset, config, home)
        fwd, bwd, per_token = flops_per_token(resolve_model(base.base_model, home), base.freeze_first_layers, share)
        costs.append(f"{mode} {per_token / 1e6:.0f} ({fwd / 1e6:.0f} forward + {bwd / 1e6:.0f} backward; answer tokens {share:.2f} of the real tokens)")
        arms = [(dtype, False) for dtype in dtypes]
        if not args.no_padding_arm:
            arms.append(("float32", True))
        reference = None
        for dtype, pad in arms:
            out = Path(tempfile.mkdtemp(prefix="hcmqa-bench-train-"))
            try:
                r = run_trial(config.replace(compute_dtype=dtype), dataset, out, home, resume=False, pad_to_max_length=pad)
            finally:
                shutil.rmtree(out, ignore_errors=True)
            s = r.summary
            tps = s["tokens_per_second"]
            if reference is None:
                reference = tps
            gflops = tps * per_token / 1e9
            pipeline = "padded to max_seq_length (academic)" if pad else "per-batch padding, length-grouped"
            rows.append([mode, dtype, pipeline, s["global_step"], s["tokens_seen"], s["train_seconds"], tps,
                         f"{tps / max(reference, 1e-9):.2f}x", s["best_eval_loss"], round(gflops, 1), round(gflops / peak[dtype], 3)])
            print(rows[-1], flush=True)

    command = "python -m bench.training.run " + " ".join(sys.argv[1:])
    text = header("Training throughput benchmark", command)
    text += (f"\nConfig: preset `{args.preset}` (batch {base.batch_size}, max_seq_length {base.max_seq_length}, "
             f"4-bit {base.load_in_4bit}, adapters on layers {base.freeze_first_layers} and up), {args.steps} steps per arm "
             f"and one evaluation at the end on {base.val_limit or 'all'} validation questions (forward only, included in "
             f"the seconds); the mode, dtype and padding vary as shown. Speed-up is against the first arm of the mode.\n\n"
             f"Ceiling, same run ({ceiling['threads']} threads; CPU features: {', '.join(ceiling['features']) or 'none found'}): "
             f"{peak['float32']} GFLOP/s in float32 and {peak['bfloat16']} in bfloat16 at the model's largest matrix product"
             f"{'' if native_bf16 else ' (bfloat16 is emulated here, so its arm is skipped)'}. Achieved GFLOP/s counts "
             f"MFLOP per real token: {'; '.join(costs)}. The language-model head projects only the positions "
             f"followed by an answer token, so it counts at that share.\n\n")
    text += table(["mode", "dtype", "pipeline", "steps", "real tokens", "seconds", "real tokens/s", "speed-up",
                   "val loss", "GFLOP/s", "of ceiling"], rows) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
