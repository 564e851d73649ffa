"""Batch answering benchmark: our batch path vs one fp32 ``generate`` per question.

The sequential path is the academic project's way: for each question, one call to
``model.generate`` on an fp32 model, no batching. Our path sorts prompts by length and
generates them in left-padded batches (optionally in bfloat16 on CPUs that support it).
Both answer the same related questions with the same prompts, greedy decoding, the same
``max_new_tokens``. Reported: questions per second, the share of answers identical to the
sequential path's, and the achieved matrix rate as a fraction of this machine's ceiling in
the path's dtype, measured at the start of the same run (bench/ceiling): 2 x parameters x
(prompt tokens + answer tokens) per second, against the rate of the model's largest matrix
product.

    .venv/bin/python -m bench.batch.run --n 200 --out bench/batch/RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.ceiling.run import measure as measure_ceiling  # noqa: E402
from bench.common import header, table  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="questions (default 200)")
    parser.add_argument("--seq-n", type=int, default=0, help="time the sequential path on only the first N questions (0 = all) and extrapolate q/s")
    parser.add_argument("--modes", default="grounded,closed_book")
    parser.add_argument("--batch-sizes", default="32", help="batch sizes tried for the batch path (comma-separated)")
    parser.add_argument("--latency-n", type=int, default=0, help="also time N single questions one at a time in each dtype (a chat turn's generation)")
    parser.add_argument("--dtypes", default="float32,bfloat16", help="dtypes tried for the batch path (bfloat16 is skipped where the CPU only emulates it)")
    parser.add_argument("--home", default=os.environ.get("HCMQA_HOME", ".hcmqa"))
    parser.add_argument("--compare-cache", type=int, default=0, metavar="R",
                        help="also time each dtype's first batch size R times with the batch path's cache and R times with transformers' "
                             "concatenating cache (DynamicCache), alternating, and report the medians")
    parser.add_argument("--focus", type=int, default=3, help="focused sentences in grounded prompts (0 = the whole top-3 passages)")
    parser.add_argument("--openvino", action="store_true",
                        help="also answer every batch through OpenVINO (hcmqa.ov_engine; the base model is exported on first use), all prompts in one call, in each dtype")
    parser.add_argument("--out", default="bench/batch/RESULTS.md")
    args = parser.parse_args()
    if args.compare_cache < 0:
        parser.error(f"--compare-cache: runs must be 0 or more, got {args.compare_cache}")
    try:
        batch_sizes = [int(b) for b in args.batch_sizes.split(",")]
    except ValueError:
        parser.error(f"--batch-sizes: comma-separated whole numbers expected, got {args.batch_sizes!r}")

    import torch

    from hcmqa.data.build import build_dataset
    from hcmqa.data.qa import read_split
    from hcmqa.evaluation import answer_metrics
    from hcmqa.generation import PROMPT_LOOKUP_TOKENS, Generator, clean_answer
    from hcmqa.models import load_model, load_tokenizer, prepare_model
    from hcmqa.registry import DEFAULT_MODEL
    from hcmqa.prompts import build_messages, render_prompt
    from hcmqa.retrieval import Retriever, focused_context

    torch.manual_seed(0)
    ceiling = measure_ceiling()
    # the model's largest product (prefill, MLP up) is the ceiling a path could reach
    peak = {"float32": ceiling["shapes"][0]["fp32_gflops"], "bfloat16": ceiling["shapes"][0]["bf16_gflops"]}
    print("ceiling", ceiling, flush=True)
    home = Path(args.home)
    model_dir = str(prepare_model(DEFAULT_MODEL, home))
    dataset = build_dataset(out_root=home / "datasets").path
    pairs = (read_split(dataset, "test_paraphrase") + read_split(dataset, "test_unseen"))[: args.n]
    retriever = Retriever.from_dataset(dataset)
    tokenizer = load_tokenizer(model_dir)
    fp32 = load_model(model_dir)
    params = sum(p.numel() for p in fp32.parameters())
    max_new = 40

    def achieved(prompt_texts: list[str], answers: list[str], seconds: float, dtype: str) -> tuple[float, float]:
        tokens = sum(len(tokenizer(x, add_special_tokens=False)["input_ids"]) for x in list(prompt_texts) + list(answers))
        gflops = 2 * params * tokens / seconds / 1e9
        return round(gflops, 1), round(gflops / peak[dtype], 3)
    rows, latency, cache_rows = [], [], []
    for mode in args.modes.split(","):
        prompts = []
        ranked = retriever.rank_batch([p.question for p in pairs], k=3) if mode == "grounded" else [[] for _ in pairs]
        focus = retriever.focus_batch([p.question for p in pairs], ranked) if mode == "grounded" else [[] for _ in pairs]
        for p, hits, sentences in zip(pairs, ranked, focus):
            context = focused_context(hits, sentences, args.focus).texts if mode == "grounded" else None
            prompts.append(render_prompt(tokenizer, build_messages(p.question, context, mode)))
        mean_tokens = sum(len(tokenizer(x, add_special_tokens=False)["input_ids"]) for x in prompts) / len(prompts)

        # sequential fp32, one generate per question
        seq_prompts = prompts[: args.seq_n] if args.seq_n else prompts
        began = time.perf_counter()
        sequential = []
        with torch.inference_mode():
            for prompt in seq_prompts:
                enc = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
                out = fp32.generate(**enc, max_new_tokens=max_new, do_sample=False, pad_token_id=tokenizer.pad_token_id)
                sequential.append(clean_answer(tokenizer.decode(out[0][enc["input_ids"].shape[1]:], skip_special_tokens=True)))
        seq_s = time.perf_counter() - began
        seq_qps = len(seq_prompts) / seq_s
        def reply_accuracy(answers: list[str]):
            value = answer_metrics(answers, pairs[: len(answers)]).get("key_fact_accuracy")
            return None if value is None else round(value, 3)

        def timed_row(label: str, generator, dtype: str) -> list[str]:
            """Answer every prompt with ``generator`` (after a first call that pays one-off set-up), add its row."""
            generator.generate(prompts[:2])
            began = time.perf_counter()
            answers = [g.text for g in generator.generate(prompts)]
            s = time.perf_counter() - began
            same = sum(a == b for a, b in zip(answers, sequential)) / len(sequential)
            rows.append([mode, label, len(prompts), round(mean_tokens), s, len(prompts) / s, (len(prompts) / s) / seq_qps, same, *achieved(prompts, answers, s, dtype), reply_accuracy(answers)])
            print(rows[-1], flush=True)
            return answers

        rows.append([mode, "sequential fp32 (1 generate per question)", len(seq_prompts), round(mean_tokens), seq_s, seq_qps, 1.0, 1.0, *achieved(seq_prompts, sequential, seq_s, "float32"), reply_accuracy(sequential)])
        print(rows[-1], flush=True)

        for dtype in [d for d in args.dtypes.split(",") if d != "bfloat16" or ceiling["native_bf16"]]:
            model = fp32 if dtype == "float32" else load_model(model_dir, compute_dtype=dtype)
            for batch_size in batch_sizes:
                generator = Generator(model, tokenizer, max_new_tokens=max_new, batch_size=batch_size)
                timed_row(f"batched {dtype}, batch {batch_size}, sorted by length", generator, dtype)
                if args.compare_cache and batch_size == batch_sizes[0]:
                    # the host's speed drifts from minute to minute: alternate the two caches and keep medians
                    concatenating = Generator(model, tokenizer, max_new_tokens=max_new, batch_size=batch_size, preallocate=False)
                    concatenating.generate(prompts[:2])
                    times = {True: [], False: []}
                    answers = {}
                    for _ in range(args.compare_cache):
                        for preallocate, gen in ((True, generator), (False, concatenating)):
                            began = time.perf_counter()
                            answers[preallocate] = [g.text for g in gen.generate(prompts)]
                            times[preallocate].append(time.perf_counter() - began)
                    fast, plain = (sorted(times[k])[len(times[k]) // 2] for k in (True, False))
                    cache_rows.append([mode, dtype, batch_size, len(prompts), args.compare_cache, " / ".join(f"{t:.1f}" for t in times[False]),
                                       " / ".join(f"{t:.1f}" for t in times[True]), len(prompts) / plain, len(prompts) / fast, plain / fast,
                                       sum(a == b for a, b in zip(answers[False], answers[True])) / len(prompts)])
                    print(cache_rows[-1], flush=True)
            if args.latency_n and mode == "grounded":
                # one question per call, as a chat turn generates: the latency a visitor waits for,
                # one token per step (greedy) and with prompt lookup (the product's single-prompt path)
                reference = None
                for label, lookup in (("one token per step", 0), (f"prompt lookup ({PROMPT_LOOKUP_TOKENS} tokens)", PROMPT_LOOKUP_TOKENS)):
                    single = Generator(model, tokenizer, max_new_tokens=max_new, batch_size=1, prompt_lookup_tokens=lookup)
                    single.generate(prompts[:1])
                    times, answers = [], []
                    for prompt in prompts[: args.latency_n]:
                        began = time.perf_counter()
                        answers.append(single.generate([prompt])[0].text)
                        times.append(time.perf_counter() - began)
                    reference = reference or answers
                    same = sum(a == b for a, b in zip(answers, reference)) / len(answers)
                    accuracy = answer_metrics(answers, pairs[: len(answers)]).get("key_fact_accuracy")
                    latency.append([dtype, label, len(times), round(sum(times) / len(times), 3), round(sorted(times)[len(times) // 2], 3),
                                    round(max(times), 3), round(sum(t < 1.0 for t in times) / len(times), 3), round(same, 3),
                                    None if accuracy is None else round(accuracy, 3)])
                    print(latency[-1], flush=True)

        if args.openvino:
            from hcmqa.ov_engine import PROMPT_LOOKUP_TOKENS as OV_LOOKUP_TOKENS
            from hcmqa.ov_engine import OpenVINOGenerator, load_openvino_generator

            for dtype in [d for d in args.dtypes.split(",") if d != "bfloat16" or ceiling["native_bf16"]]:
                engine = load_openvino_generator(model_dir, None, None, max_new_tokens=max_new, batch_size=len(prompts), dtype=dtype,
                                                 progress=lambda m: print(m, file=sys.stderr, flush=True))
                answers = timed_row(f"OpenVINO {dtype}, all {len(prompts)} prompts in one call", engine, dtype)
                if args.latency_n and mode == "grounded":
                    # one token per step (compared with the batch's answers), then the engine's
                    # single-prompt path, prompt lookup (compared with one token per step). A
                    # fresh engine: the batch's keeps the keys and values of the prompts it has
                    # just answered, and would skip their prefill. Its first call, on a prompt
                    # timed in neither row, compiles and caches the shared system prompt, as a
                    # worker's first question does
                    plain, engine = None, OpenVINOGenerator(engine.model_dir, max_new_tokens=max_new, dtype=dtype)
                    for label, lookup in (("one token per step", 0), (f"prompt lookup ({OV_LOOKUP_TOKENS} tokens)", OV_LOOKUP_TOKENS)):
                        engine.prompt_lookup_tokens = lookup
                        engine.generate(prompts[-1:])  # the lookup pipeline compiles on first use
                        times, single = [], []
                        for prompt in prompts[: args.latency_n]:
                            began = time.perf_counter()
                            single.append(engine.generate([prompt])[0].text)
                            times.append(time.perf_counter() - began)
                        accuracy = answer_metrics(single, pairs[: len(single)]).get("key_fact_accuracy")
                        reference = plain or answers
                        latency.append([f"{dtype}, OpenVINO", label, len(times), round(sum(times) / len(times), 3), round(sorted(times)[len(times) // 2], 3),
                                        round(max(times), 3), round(sum(t < 1.0 for t in times) / len(times), 3), round(sum(a == b for a, b in zip(single, reference)) / len(single), 3),
                                        None if accuracy is None else round(accuracy, 3)])
                        plain = plain or single
                        print(latency[-1], flush=True)
                del engine

    command = "python -m bench.batch.run " + " ".join(sys.argv[1:])
    text = header("Batch answering benchmark", command)
    text += "\nSame related questions (test splits), same prompts (when grounded: the focused sentences of the top-3 passages, `--focus`), greedy decoding, max_new_tokens 40."
    if args.seq_n:
        text += f" The sequential path is timed on the first {args.seq_n} questions (its q/s is per question, so it compares directly); 'identical' is measured on those."
    text += (f"\n\nCeiling, same run ({ceiling['threads']} threads; CPU features: {', '.join(ceiling['features']) or 'none found'}): "
             f"{peak['float32']} GFLOP/s in float32 and {peak['bfloat16']} in bfloat16 at the model's largest matrix product. "
             "Achieved GFLOP/s counts 2 x parameters per prompt or answer token (answer tokens as re-tokenised), so it is a lower bound.\n\n")
    text += ("'key-fact acc.' is that of the generated reply alone (no quoted evidence, no guard): it compares the paths' "
             "decodings, not the product's answers, which bench/quality scores.\n\n")
    text += table(["mode", "path", "questions", "mean prompt tokens", "seconds", "q/s", "speed-up", "identical to sequential", "GFLOP/s", "of ceiling", "key-fact acc. (reply alone)"], rows) + "\n"
    if cache_rows:
        text += ("\nThe batch path's preallocated cache against transformers' DynamicCache (which concatenates each step's keys "
                 "and values onto the cache), the same batches timed alternately; q/s from the median time. 'answers identical' "
                 "is the share of the DynamicCache path's answers equal to the batch path's:\n\n")
        text += table(["mode", "dtype", "batch", "questions", "runs each", "DynamicCache s", "preallocated s", "DynamicCache q/s (median)",
                       "preallocated q/s (median)", "speed-up", "answers identical"], cache_rows) + "\n"
    if latency:
        text += ("\nOne grounded question per call (a chat turn's generation, retrieval excluded), the first "
                 f"{args.latency_n} questions, max_new_tokens {max_new}. 'identical' compares with one token per step in "
                 "the same dtype (OpenVINO's one token per step: with its batch's answers); key-fact accuracy is that of the generated text alone (no quoted evidence, no guard), "
                 "so it compares the two decodings, not the product's answers:\n\n")
        text += table(["dtype", "decoding", "questions", "mean s", "median s", "max s", "share under 1 s", "identical", "key-fact acc. (reply alone)"], latency) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
