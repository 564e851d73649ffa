"""This machine's ceiling: matrix-product rates at the model's shapes in float32 and bfloat16,
memory bandwidth, and the CPU features that decide whether bfloat16 pays.

Other figures (questions or tokens per second) mean little across machines of one kind, which
differ (AMX on some hosts, AVX512-BF16 only on others); a fraction of the ceiling measured on
the same machine does. ``measure()`` is importable so another benchmark can measure the
ceiling in its own run.

    .venv/bin/python -m bench.ceiling.run --out bench/ceiling/RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import header, table  # noqa: E402

# SmolLM2-135M: hidden 576, MLP 1536, 30 layers. Rows: a prefill of 32 prompts of 32 tokens
# (1024 rows) and one decode step of a 32-question batch (32 rows).
SHAPES = [
    ("prefill, MLP up (1024x576 . 576x1536)", 1024, 576, 1536),
    ("prefill, attention projection (1024x576 . 576x576)", 1024, 576, 576),
    ("decode step, MLP up (32x576 . 576x1536)", 32, 576, 1536),
    ("large square (2048x2048 . 2048x2048)", 2048, 2048, 2048),
]


def _rate(torch, m: int, k: int, n: int, dtype, seconds: float = 0.5, warmup: int = 3) -> float:
    a = torch.randn(m, k, dtype=dtype)
    b = torch.randn(k, n, dtype=dtype)
    for _ in range(warmup):
        a @ b
    reps, began = 0, time.perf_counter()
    while reps == 0 or time.perf_counter() - began < seconds:
        a @ b
        reps += 1
    return 2 * m * k * n * reps / (time.perf_counter() - began) / 1e9


# Without AVX512-BF16 or AMX, bfloat16 products are emulated, tens of times slower than float32:
# one large square would take minutes, so only the model's own (smaller) shapes are timed.
EMULATED_BF16_MAX_FLOPS = 4e9


def _bandwidth(torch, mib: int = 512) -> float:
    """GB/s of a large tensor copy, counting bytes read and written."""
    src = torch.empty(mib * 2**20, dtype=torch.uint8).random_(0, 255)
    dst = torch.empty_like(src)
    dst.copy_(src)
    reps, began = 0, time.perf_counter()
    while time.perf_counter() - began < 1.0:
        dst.copy_(src)
        reps += 1
    return 2 * src.numel() * reps / (time.perf_counter() - began) / 1e9


def measure(threads: int | None = None) -> dict:
    """The ceiling figures as a dict: GFLOP/s per shape and dtype, copy GB/s, CPU features."""
    import torch

    from hcmqa.models import cpu_features, preferred_inference_dtype

    if threads:
        torch.set_num_threads(threads)
    native_bf16 = preferred_inference_dtype() == "bfloat16"
    rows = []
    for label, m, k, n in SHAPES:
        fp32 = _rate(torch, m, k, n, torch.float32)
        if native_bf16 or 2 * m * k * n <= EMULATED_BF16_MAX_FLOPS:
            bf16 = _rate(torch, m, k, n, torch.bfloat16, warmup=3 if native_bf16 else 1)
            rows.append({"shape": label, "fp32_gflops": round(fp32, 1), "bf16_gflops": round(bf16, 1), "bf16_over_fp32": round(bf16 / fp32, 2)})
        else:
            rows.append({"shape": label, "fp32_gflops": round(fp32, 1), "bf16_gflops": None, "bf16_over_fp32": None})
    return {"threads": torch.get_num_threads(), "features": cpu_features(), "native_bf16": native_bf16, "shapes": rows,
            "copy_gbps": round(_bandwidth(torch), 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--out", default="bench/ceiling/RESULTS.md")
    args = parser.parse_args()
    result = measure(args.threads)
    text = header("Machine ceiling", "python -m bench.ceiling.run " + " ".join(sys.argv[1:]))
    text += (f"\nThreads: {result['threads']}. CPU features that matter here: {', '.join(result['features']) or 'none found'}. "
             f"bfloat16 is {'native' if result['native_bf16'] else 'emulated (no AVX512-BF16 or AMX): the product answers and trains in float32 here'}. "
             f"Memory copy: {result['copy_gbps']} GB/s (bytes read plus written).\n\n")
    text += table(["shape", "fp32 GFLOP/s", "bf16 GFLOP/s", "bf16 / fp32"],
                  [[r["shape"], r["fp32_gflops"], "not timed" if r["bf16_gflops"] is None else r["bf16_gflops"],
                    "" if r["bf16_over_fp32"] is None else r["bf16_over_fp32"]] for r in result["shapes"]])
    text += "\n"
    print(text)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
