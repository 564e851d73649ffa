"""Training-throughput benchmark: our data pipeline vs padding every example to max length.

Both runs use the same trial config (the CPU default preset, shortened to ``--steps`` steps,
no evaluation) and the same examples in the same order. Ours pads each batch to its own
longest example, with batches grouped by length; the academic project's setup padded every
example to ``max_seq_length``. Throughput counts real (non-padding) tokens per second of
training wall time.

    .venv/bin/python -m bench.training.run --steps 20 --out bench/training/RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import header, table  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--preset", default="cpu-default")
    parser.add_argument("--modes", default="closed_book,grounded", help="trial modes to measure (comma-separated)")
    parser.add_argument("--home", default=os.environ.get("HCMQA_HOME", ".hcmqa"))
    parser.add_argument("--out", default="bench/training/RESULTS.md")
    args = parser.parse_args()

    from hcmqa.config import load_preset
    from hcmqa.data.build import build_dataset
    from hcmqa.training import run_trial

    home = Path(args.home)
    dataset = build_dataset(out_root=home / "datasets").path
    base = load_preset(args.preset)
    rows = []
    for mode in args.modes.split(","):
        config = base.replace(mode=mode, max_steps=args.steps, eval_steps=args.steps + 1, eval_generate_samples=0, early_stopping_patience=0, logging_steps=args.steps)
        results = {}
        for label, pad in (("ours: per-batch padding, length-grouped", False), ("academic: padded to max_seq_length", True)):
            out = Path(tempfile.mkdtemp(prefix="hcmqa-bench-train-"))
            try:
                r = run_trial(config, dataset, out, home, resume=False, pad_to_max_length=pad)
            finally:
                shutil.rmtree(out, ignore_errors=True)
            s = r.summary
            results[pad] = s["tokens_per_second"]
            rows.append([mode, label, s["global_step"], s["tokens_seen"], s["train_seconds"], s["tokens_per_second"], ""])
            print(rows[-1], flush=True)
        rows[-2][-1] = f"{results[False] / max(results[True], 1e-9):.2f}x"
    command = "python -m bench.training.run " + " ".join(sys.argv[1:])
    text = header("Training throughput benchmark", command)
    text += (f"\nConfig: preset `{args.preset}` (batch {base.batch_size}, max_seq_length {base.max_seq_length}, "
             f"4-bit {base.load_in_4bit}), {args.steps} steps per run, no evaluation; the mode varies as shown. Target: >= 2x.\n\n")
    text += table(["mode", "pipeline", "steps", "real tokens", "seconds", "real tokens/s", "speed-up"], rows) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
