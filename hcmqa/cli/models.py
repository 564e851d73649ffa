"""``hcmqa models``: list the registry's base models and prepare one."""

from __future__ import annotations

import argparse

from hcmqa.cli.common import home_of


def add_commands(sub: argparse._SubParsersAction) -> None:
    models = sub.add_parser("models", help="list and prepare base models").add_subparsers(dest="action", required=True)
    p = models.add_parser("list", help="list registry models and whether they are prepared")
    p.set_defaults(func=cmd_models_list)
    p = models.add_parser("prepare", help="convert an embedded model into a safetensors directory (once)")
    p.add_argument("name", nargs="?", default="smollm2-135m")
    p.add_argument("--force", action="store_true", help="convert again even if already prepared")
    p.set_defaults(func=cmd_models_prepare)


def cmd_models_list(args) -> int:
    from hcmqa.models import STAMP_FILE
    from hcmqa.registry import REGISTRY

    models = home_of(args).models_dir
    for name, source in sorted(REGISTRY.items()):
        prepared = (models / name / STAMP_FILE).is_file()
        state = "prepared" if prepared else ("hub" if source.kind == "hub" else "not prepared")
        print(f"{name:22s} {state:13s} {source.description}")
    return 0


def cmd_models_prepare(args) -> int:
    from hcmqa.models import prepare_model

    path = prepare_model(args.name, home_of(args).root, force=args.force)
    print(f"model {args.name} ready at {path}")
    return 0
