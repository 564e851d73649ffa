"""``hcmqa data``: build a versioned dataset (and its retriever) and audit QA data."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from hcmqa.cli.common import home_of
from hcmqa.encoders import ENCODER_NAMES


def add_commands(sub: argparse._SubParsersAction) -> None:
    data = sub.add_parser("data", help="build and audit datasets").add_subparsers(dest="action", required=True)
    p = data.add_parser("build", help="validate documents + QA CSV and write a versioned dataset directory")
    p.add_argument("--docs", help="folder of .html/.md/.txt documents (default: the bundled corpus)")
    p.add_argument("--qa", help="QA CSV with question,answer[,key_facts,fact_id,split] (default: the bundled dataset)")
    p.add_argument("--offtopic", help="CSV of off-topic questions for the gate (default: the bundled set)")
    p.add_argument("--no-offtopic", action="store_true", help="build without off-topic questions")
    p.add_argument("--unanswerable", help="CSV of on-topic questions the documents cannot answer (column question); they calibrate when to decline (default: the bundled ones with the bundled QA set, none otherwise)")
    p.add_argument("--topic", help="topic profile, YAML or JSON: the subject, its names and pronouns, prompts, refusals and sample questions (default: topic.yaml beside the documents, else the bundled profile)")
    p.add_argument("--out", help="parent folder for datasets (default: <home>/datasets)")
    p.add_argument("--name", default="default", help="dataset name (default: default)")
    p.add_argument("--max-words", type=int, default=100, help="longest passage in words (default: 100)")
    p.add_argument("--no-retriever", action="store_true", help="skip training the bi-encoder and reranker (retrieval falls back to BM25)")
    p.add_argument("--retriever-encoder", choices=ENCODER_NAMES, help="the sentence encoder the retriever's bi-encoder starts from: mpnet (finds more facts; 20 to 33 minutes on a 2-core CPU with AVX512-BF16) or minilm (about 8 minutes on 2 cores). Default: mpnet on a GPU or where the CPU computes bfloat16 natively, else minilm; a retriever trained from the other is retrained")
    p.set_defaults(func=cmd_data_build)
    p = data.add_parser("audit", help="check that key facts fit their questions and occur in answers and corpus (exit 1 on findings)")
    p.add_argument("--docs", help="folder of documents (default: the bundled corpus)")
    p.add_argument("--qa", help="QA CSV (default: the bundled dataset)")
    p.add_argument("--allow", help="allow-list CSV check,subject,key,reason (default: the bundled one)")
    p.add_argument("--no-allow", action="store_true", help="report every finding, ignoring the allow-list")
    p.add_argument("--all", action="store_true", help="also list allow-listed findings with their reasons")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_data_audit)


def cmd_data_build(args) -> int:
    from hcmqa.data.build import DEFAULT_DOCS, DEFAULT_OFFTOPIC, DEFAULT_QA, build_dataset

    home = home_of(args)
    result = build_dataset(
        docs_dir=Path(args.docs) if args.docs else DEFAULT_DOCS,
        qa_csv=Path(args.qa) if args.qa else DEFAULT_QA,
        offtopic_csv=None if args.no_offtopic else (Path(args.offtopic) if args.offtopic else DEFAULT_OFFTOPIC),
        out_root=Path(args.out) if args.out else home.datasets_dir,
        name=args.name,
        max_words=args.max_words,
        unanswerable_csv=Path(args.unanswerable) if args.unanswerable else None,
        topic=Path(args.topic) if args.topic else None,
    )
    m = result.manifest
    state = "unchanged, reused" if result.reused else "built"
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"dataset {m['name']} version {m['version']} {state}: {result.path}")
    print(f"topic: {m['topic']['description']} (subject {m['topic']['subject']})")
    print("counts: " + ", ".join(f"{k}={v}" for k, v in m["counts"].items()))
    print("splits: " + ", ".join(f"{k}={v}" for k, v in m["splits"].items()))
    if result.audit is not None:
        print(result.audit.format_text(limit=10))
    if not args.no_retriever:
        from hcmqa.retriever_training import RetrieverSettings, ensure_retriever

        settings = RetrieverSettings(base_encoder=args.retriever_encoder) if args.retriever_encoder else None
        meta = ensure_retriever(result.path, settings, progress=lambda msg: print(msg, file=sys.stderr, flush=True))
        answerability = meta["answerability"]["val"]
        print(
            f"retriever: bi-encoder trained on {meta['train_questions']} train questions; answerability model fitted on "
            f"{answerability['answerable']} answerable and {answerability['unanswerable']} unanswerable val examples "
            f"(cross-validated: answers {answerability['cv_answerable_answered']:.0%} and refuses {answerability['cv_answerable_refused']:.0%} "
            f"of the answerable; answers {answerability['cv_unanswerable_answered']:.0%} of the unanswerable)"
        )
    return 0


def cmd_data_audit(args) -> int:
    from hcmqa.data.audit import DEFAULT_ALLOW, audit_dataset
    from hcmqa.data.build import DEFAULT_DOCS, DEFAULT_QA

    # The bundled allow-list explains findings in the bundled QA set only.
    allow = None if args.no_allow or (args.qa and not args.allow) else (Path(args.allow) if args.allow else DEFAULT_ALLOW)
    report = audit_dataset(Path(args.docs) if args.docs else DEFAULT_DOCS, Path(args.qa) if args.qa else DEFAULT_QA, allow)
    print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) if args.json else report.format_text(show_allowed=args.all))
    return 0 if report.clean else 1
