"""Trial: ask the reader too where the answerability model would only quote the closest sentences.

The answerability model answers about 30% of answerable questions outright and gives the rest
a "closest the sources come" answer: a caveat, then the best sentences quoted. This trial
treats every "closest" decision as "answer" instead, so the trial's reader replies and the
faithfulness guard checks the reply as it checks any other. A reply that passes would be kept
(path ``generated``); one that fails, or says its passages are silent, would keep the caveat.

For val, both test splits and the web-style set (answerable, with key facts) and for the
unanswerable development and held-out questions, the table gives how many "closest" decisions
would become answers and, for the answerable, how many of those hold every key fact. The
share of held-out unanswerable questions still declined is the product's decline rate less
those that would become answers.

    python -m bench.trials.reader_second_opinion --dataset DATASET_DIR --run RUN_DIR --home HOME
"""

from __future__ import annotations

import collections
import csv
from pathlib import Path

from bench.trials.common import arguments, load
from hcmqa.config import ENGINES

UNANSWERABLE = Path(__file__).resolve().parents[2] / "hcmqa" / "resources" / "qa"


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--run", required=True, help="a trained grounded trial, whose reader replies")
    parser.add_argument("--home", required=True, help="the HCMQA_HOME that holds its base model and gate")
    parser.add_argument("--engine", default="transformers", choices=ENGINES, help="the engine that generates the replies (default: transformers)")
    args = parser.parse_args()
    if not (Path(args.run) / "adapter" / "adapter_config.json").is_file():
        raise SystemExit(f"--run: {args.run} is not a trained trial (no adapter/adapter_config.json); train one with 'hcmqa train'")
    from hcmqa.answering import load_assistant
    from hcmqa.evaluation import is_declined, key_facts_present

    _, splits = load(args.dataset)
    sets = {name: [(p.question, p.key_facts) for p in pairs] for name, pairs in splits.items()}
    for name, file in (("unanswerable (dev)", "unanswerable-dev.csv"), ("unanswerable (held out)", "unanswerable.csv")):
        with open(UNANSWERABLE / file, encoding="utf-8") as f:
            sets[name] = [(row["question"], ()) for row in csv.DictReader(f)]
    assistant = load_assistant(Path(args.run), Path(args.home), dataset_dir=Path(args.dataset), engine=args.engine)
    product_evidence = assistant.evidence
    decided: dict[str, str] = {}

    def second_opinion(queries):
        out = []
        for query, (context, decision, p) in zip(queries, product_evidence(queries)):
            decided[query] = decision
            out.append((context, "answer" if decision == "closest" else decision, p))
        return out

    assistant.evidence = second_opinion
    print("| set | n | answer | closest | refuse | closest -> kept reply | kept replies with every key fact | declined (product) | declined (with the reader's opinion) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, items in sets.items():
        decided.clear()
        answers = assistant.answer_batch([q for q, _ in items])
        decisions = [decided.get(a.resolved_question or a.question) for a in answers]
        counts = collections.Counter(decisions)
        kept = [(a, facts) for a, d, (_, facts) in zip(answers, decisions, items) if d == "closest" and a.path == "generated"]
        with_facts = sum(1 for a, facts in kept if facts and key_facts_present(a.answer, facts)) if any(f for _, f in items) else ""
        # the product declines every "closest" decision; these would no longer be declined
        declined = sum(1 for a, d in zip(answers, decisions) if d == "closest" or is_declined(a))
        n = len(items)
        print(f"| {name} | {n} | {counts['answer']} | {counts['closest']} | {counts['refuse']} | {len(kept)} | {with_facts} | {declined / n:.3f} | {(declined - len(kept)) / n:.3f} |")


if __name__ == "__main__":
    main()
