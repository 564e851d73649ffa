"""``hcmqa train``: run one fine-tuning trial (resumed when interrupted)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from hcmqa.cli.common import dataset_arg, home_of


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="run one fine-tuning trial")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--config", help="trial config file (.yaml/.yml/.json)")
    src.add_argument("--preset", help="a named preset (cpu-default, falcon-7b-academic)")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override one config field (repeatable)")
    p.add_argument("--out", required=True, help="run directory (created; an existing one is resumed)")
    p.add_argument("--dataset", help="built dataset directory (default: the latest 'default' dataset)")
    p.add_argument("--no-resume", action="store_true", help="ignore checkpoints already in --out")
    p.set_defaults(func=cmd_train)


def cmd_train(args) -> int:
    from hcmqa.config import ConfigError, TrialConfig, load_preset
    from hcmqa.training import run_trial

    home = home_of(args)
    if args.config:
        config = TrialConfig.from_file(Path(args.config))
    else:
        config = load_preset(args.preset or "cpu-default")
    overrides = {}
    for item in args.set:
        if "=" not in item:
            raise ConfigError({"--set": f"expected FIELD=VALUE, got {item!r}"})
        key, value = item.split("=", 1)
        overrides[key.strip()] = value
    if overrides:
        config = TrialConfig.from_dict({**config.to_dict(), **overrides})
    dataset = dataset_arg(args, home)
    out = Path(args.out)
    print(f"trial {config.name}: {config.mode}, {config.base_model}, 4-bit={config.load_in_4bit}, dataset {dataset.name} -> {out}")
    started = time.perf_counter()

    def progress(p) -> None:
        line = f"step {p.step}/{p.total_steps}"
        if p.loss is not None:
            line += f" loss {p.loss:.4f}"
        evals = {x.name: x.value for x in p.points if x.split == "val"}
        if evals:
            line += " | " + " ".join(f"{k} {v:.4f}" for k, v in evals.items())
        if p.step:
            eta = (time.perf_counter() - started) / p.step * max(0, p.total_steps - p.step)
            line += f" | eta {eta:.0f}s"
        print(line, flush=True)

    result = run_trial(config, dataset, out, home.root, progress=progress, resume=not args.no_resume, notes=lambda msg: print(msg, file=sys.stderr, flush=True))
    s = result.summary
    print(f"{result.status}: {s.get('global_step')} steps in {s.get('train_seconds', 0):.0f}s, best eval loss {s.get('best_eval_loss')}"
          + (" (stopped early)" if result.stopped_early else ""))
    print(f"adapter: {out / 'adapter'}")
    return 0 if result.status == "succeeded" else 1
