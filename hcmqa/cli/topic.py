"""``hcmqa topic``: set up a topic pack in one command, and show a dataset's topic profile.

A topic pack is a folder::

    topic.yaml             the topic profile (hcmqa.topic)
    docs/                  the documents (.html, .md, .txt)
    qa.csv                 question,answer[,key_facts,fact_id]
    nearmiss.csv           optional: off-topic questions close to the topic (column question)
    unanswerable-dev.csv   optional: on-topic questions the documents cannot answer (column question)

``hcmqa topic add DIR`` builds the dataset, trains its retriever (unless ``--no-retriever``)
and its gate, and prints the gate's held-out report: the topic then answers through
``hcmqa ask --dataset PATH``, ``chat``, ``answer`` and the workers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from hcmqa.cli.common import dataset_arg, home_of, print_gate_report
from hcmqa.encoders import ENCODER_NAMES

def add_commands(sub: argparse._SubParsersAction) -> None:
    topic = sub.add_parser("topic", help="set up a topic pack (documents, QA pairs, profile) or show a dataset's topic").add_subparsers(dest="action", required=True)
    add = topic.add_parser("add", help="build a topic pack's dataset, train its retriever and gate")
    add.add_argument("folder", help="the pack: topic.yaml, docs/, qa.csv, and optionally nearmiss.csv and unanswerable-dev.csv (or the name of a bundled pack)")
    add.add_argument("--name", help="dataset name (default: the folder's name)")
    add.add_argument("--no-retriever", action="store_true", help="skip training the bi-encoder (retrieval falls back to BM25)")
    add.add_argument("--retriever-encoder", choices=ENCODER_NAMES, help="the sentence encoder the retriever starts from (default: as hcmqa data build)")
    add.set_defaults(func=cmd_topic_add)
    show = topic.add_parser("show", help="print a dataset's topic profile as JSON")
    show.add_argument("--dataset", help="built dataset directory (default: the latest 'default' dataset)")
    show.set_defaults(func=cmd_topic_show)


def cmd_topic_add(args) -> int:
    from hcmqa.data.build import TOPICS_DIR, build_pack
    from hcmqa.gate import GateClassifier, gate_data_from_dataset, gate_dir_for

    home = home_of(args)
    folder = Path(args.folder)
    if not folder.exists() and (TOPICS_DIR / args.folder).is_dir():
        folder = TOPICS_DIR / args.folder  # a bundled pack by name
    steps = 2 if args.no_retriever else 3
    print(f"== 1/{steps} dataset from {folder}")
    result = build_pack(folder, home.datasets_dir, args.name)
    m = result.manifest
    print(f"   {m['topic']['description']} (subject {m['topic']['subject']}): dataset {m['name']} version {m['version']} {'reused' if result.reused else 'built'}: {result.path}")
    print("   counts: " + ", ".join(f"{k}={v}" for k, v in m["counts"].items()))
    print("   splits: " + ", ".join(f"{k}={v}" for k, v in m["splits"].items()))
    if result.audit is not None and not result.audit.clean:
        print(result.audit.format_text(limit=10))
    if not args.no_retriever:
        from hcmqa.retriever_training import RetrieverSettings, ensure_retriever

        print(f"== 2/{steps} retriever")
        settings = RetrieverSettings(base_encoder=args.retriever_encoder) if args.retriever_encoder else None
        ensure_retriever(result.path, settings, progress=lambda msg: print(f"   {msg}", file=sys.stderr, flush=True))
    print(f"== {steps}/{steps} topic gate (held-out questions)")
    data = gate_data_from_dataset(result.path)
    if data.mined:
        print(f"   {len(data.mined)} near-misses made from names the documents mention in passing, e.g. {data.mined[0]!r}")
    gate = GateClassifier.fit(data)
    report = gate.evaluate(data.heldout_questions, data.heldout_labels)
    gate.metadata.update({"dataset": str(result.path), "heldout": report.to_dict() | {"errors": len(report.errors)}})
    out = gate.save(gate_dir_for(home.root, result.path))
    print(f"   saved to {out}")
    print_gate_report(report)
    from hcmqa.topic import dataset_topic

    sample = dataset_topic(result.path).sample_questions[0]
    print(f"\nready: hcmqa ask --dataset {result.path} {json.dumps(sample, ensure_ascii=False)} (or chat, answer and eval with the same --dataset)")
    return 0


def cmd_topic_show(args) -> int:
    from hcmqa.topic import dataset_topic

    print(json.dumps(dataset_topic(dataset_arg(args, home_of(args))).to_dict(), ensure_ascii=False, indent=2))
    return 0
