"""QLoRA fine-tuning of one trial with transformers' Trainer + peft + bitsandbytes.

Call chain: ``run_trial`` (set-up: data, model, trainer) -> ``Trainer.train`` -> result and
manifest. The same code runs on a CPU (bitsandbytes 4-bit NF4 works there) and on CUDA.

A run directory holds::

    manifest.json    config, dataset hash, base model, package versions, status, summary
    metrics.jsonl    every metric point: {"step", "split", "name", "value"}
    adapter/         the LoRA adapter (the best checkpoint, restored at the end)
    checkpoints/     Trainer checkpoints, for resuming

Loss is computed on answer tokens only (prompt tokens are labelled -100). Examples are padded
per batch to their own longest length, not to ``max_seq_length``.
"""

from __future__ import annotations

import json
import math
import platform
import random
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from hcmqa.checkpoints import last_complete_checkpoint
from hcmqa.config import TrialConfig
from hcmqa.data.qa import QAPair, read_split
from hcmqa.fileio import atomic_write_json
from hcmqa.prompts import READER_DECLINE, build_messages
from hcmqa.text import contains_fact

IGNORE = -100


@dataclass(frozen=True)
class MetricPoint:
    step: int
    split: str
    name: str
    value: float


@dataclass
class TrainProgress:
    step: int
    total_steps: int
    loss: float | None
    points: list[MetricPoint]
    epoch: float = 0.0
    elapsed_s: float = 0.0


@dataclass
class TrialResult:
    status: str  # "succeeded" or "cancelled"
    run_dir: Path
    summary: dict
    points: list[MetricPoint] = field(default_factory=list)
    stopped_early: bool = False


# --- data -------------------------------------------------------------------------------


def training_messages(pairs: list[QAPair], config: TrialConfig, retriever=None, topic=None) -> list[tuple[list[dict], str]]:
    """(messages, answer) per pair; grounded prompts hold the same focused context as answering.

    The context is built exactly as the answer path builds it (top ``top_k`` hits, their best
    ``focus_sentences`` sentences). When it misses the answer's key facts, the best passage that
    holds them replaces the last hit and its sentence holding them is put first, so the model
    learns to read the answer from its context rather than to recite or invent. The order of
    the cited sources is shuffled (seeded per question) so position carries no signal. The
    system prompts are the ``topic`` profile's (the retriever's, else the bundled one), as in
    answering.
    """
    from hcmqa.retrieval import Hit, focused_context
    from hcmqa.topic import default_topic

    topic = topic or getattr(retriever, "topic", None) or default_topic()

    if config.mode != "grounded":
        return [(build_messages(pair.question, None, config.mode, topic), pair.answer) for pair in pairs]
    questions = [pair.question for pair in pairs]
    ranked = retriever.rank_batch(questions, k=config.top_k)
    for n, pair in enumerate(pairs):
        hits = ranked[n]
        if pair.key_facts and not any(all(contains_fact(h.passage.text, f) for f in pair.key_facts) for h in hits):
            gold = retriever.find_containing(pair.key_facts, pair.question)
            if gold is not None:
                ranked[n] = hits[: config.top_k - 1] + [Hit(gold, 0.0)]
    # Some questions are shown a context with every passage that holds their answer removed,
    # and taught to say so: the reader learns to decline when its sources are silent.
    decline = {n for n, pair in enumerate(pairs) if pair.key_facts and random.Random(f"{config.seed}:decline:{pair.question}").random() < config.decline_share}
    if decline:
        deep = retriever.rank_batch([pairs[n].question for n in sorted(decline)], k=config.top_k + 8)
        for n, hits in zip(sorted(decline), deep):
            ranked[n] = [h for h in hits if not any(contains_fact(h.passage.text, f) for f in pairs[n].key_facts)][: config.top_k]
    scored = retriever.focus_batch(questions, ranked)
    examples = []
    for n, (pair, hits, sentences) in enumerate(zip(pairs, ranked, scored)):
        if n in decline:
            texts = list(focused_context(hits, sentences, config.focus_sentences).texts)
            examples.append((build_messages(pair.question, texts, config.mode, topic), READER_DECLINE))
            continue
        if pair.key_facts:
            holding = [s for s in sentences if all(contains_fact(s.text, f) for f in pair.key_facts)]
            if holding:
                top = max(s.score for s in sentences)
                sentences = [replace(holding[0], score=top + 1.0)] + [s for s in sentences if s is not holding[0]]
        context = focused_context(hits, sentences, config.focus_sentences)
        if pair.key_facts and not all(contains_fact(" ".join(context.texts), f) for f in pair.key_facts):
            context = focused_context(hits, sentences, 0)  # the facts span sentences: whole passages
        texts = list(context.texts)
        random.Random(f"{config.seed}:{pair.question}").shuffle(texts)
        examples.append((build_messages(pair.question, texts, config.mode, topic), pair.answer))
    return examples


def retrieval_recall(retriever, pairs: list[QAPair], k: int) -> float | None:
    """Share of ``pairs`` whose top-``k`` passages together hold every key fact."""
    scored = [p for p in pairs if p.key_facts]
    if not scored:
        return None
    ranked = retriever.rank_batch([p.question for p in scored], k=k)
    hits = sum(all(contains_fact(" ".join(h.passage.text for h in top), f) for f in p.key_facts) for p, top in zip(scored, ranked))
    return hits / len(scored)


def tokenize_example(tokenizer, messages: list[dict], answer: str, max_len: int) -> dict:
    """input_ids/labels with the prompt masked; overlong prompts lose tokens from the left of the passages."""
    prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    answer_ids = tokenizer(answer, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    answer_ids = answer_ids[: max_len // 2]
    room = max_len - len(answer_ids)
    if len(prompt_ids) > room:
        # keep the tail: the question and the assistant header sit at the end of the prompt
        prompt_ids = prompt_ids[-room:]
    ids = prompt_ids + answer_ids
    return {"input_ids": ids, "attention_mask": [1] * len(ids), "labels": [IGNORE] * len(prompt_ids) + answer_ids}


class ListDataset:
    """A minimal map-style dataset over tokenised examples (torch Dataset protocol)."""

    def __init__(self, items: list[dict]):
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> dict:
        return self.items[i]


def make_collator(tokenizer, pad_to: int | None = None):
    """transformers' seq2seq collator: pads to the batch's longest example (or to ``pad_to``,
    the academic project's way), labels padded with -100 so padding never counts in the loss.

    Each batch also carries ``logits_to_keep``, a boolean mask of the positions whose next token
    is a label: the model projects only those onto its vocabulary (see :func:`answer_loss`)."""
    import torch
    from transformers import DataCollatorForSeq2Seq

    if pad_to:
        collate = DataCollatorForSeq2Seq(tokenizer, padding="max_length", max_length=pad_to, label_pad_token_id=IGNORE, return_tensors="pt")
    else:
        collate = DataCollatorForSeq2Seq(tokenizer, padding="longest", label_pad_token_id=IGNORE, return_tensors="pt")

    def with_answer_positions(features):
        batch = collate(features)
        labels = batch["labels"]
        keep = torch.zeros_like(labels, dtype=torch.bool)
        keep[:, :-1] = labels[:, 1:] != IGNORE
        batch["logits_to_keep"] = keep
        return batch

    return with_answer_positions


def answer_loss(outputs, labels, num_items_in_batch=None):
    """Next-token cross-entropy over the answer tokens, from logits computed only there.

    transformers' causal-LM loss needs logits at every position. A grounded example is mostly
    prompt (about 160 of 190 tokens), masked out of the loss, yet projecting it onto the
    49k-token vocabulary and through log-softmax and its backward pass took about 45% of a
    bfloat16 training step on the CPU. The collator's ``logits_to_keep`` mask makes the model
    project only the positions followed by a label; the loss is the same sum over the same
    targets, divided as transformers divides it (by ``num_items_in_batch`` when the Trainer
    gives it, else the mean).
    """
    import torch.nn.functional as F

    logits = outputs["logits"].float()
    targets = labels[:, 1:]
    targets = targets[targets != IGNORE].to(logits.device)
    logits = logits.reshape(-1, logits.shape[-1])
    if num_items_in_batch is None:
        return F.cross_entropy(logits, targets, reduction="mean")
    total = F.cross_entropy(logits, targets, reduction="sum")
    if hasattr(num_items_in_batch, "to"):
        num_items_in_batch = num_items_in_batch.to(total.device)
    return total / num_items_in_batch


# --- model ------------------------------------------------------------------------------


def linear_module_names(model) -> set[str]:
    """Short names of the model's linear layers (what LoRA ``target_modules`` may name)."""
    import torch

    names = set()
    for full, module in model.named_modules():
        if isinstance(module, torch.nn.Linear) or type(module).__name__ in ("Linear4bit", "Linear8bitLt"):
            names.add(full.rsplit(".", 1)[-1])
    names.discard("lm_head")
    return names


def _versions() -> dict:
    import bitsandbytes
    import peft
    import torch
    import transformers

    return {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__, "bitsandbytes": bitsandbytes.__version__}


def check_hardware(config: TrialConfig, cuda: bool) -> None:
    """Fail before loading anything when the config asks for what this machine cannot do."""
    from hcmqa.config import ConfigError

    errors = {}
    if config.optimizer.startswith("paged_") and not cuda:
        errors["optimizer"] = f"{config.optimizer} needs a CUDA GPU; use adamw_torch on a CPU"
    if config.compute_dtype == "float16" and not cuda:
        errors["compute_dtype"] = "float16 needs a CUDA GPU; use float32 or bfloat16 on a CPU"
    if errors:
        raise ConfigError(errors)


# --- callbacks --------------------------------------------------------------------------


def _make_callbacks(run_dir: Path, config: TrialConfig, progress, should_cancel, answer_probe, known: set):
    from transformers import TrainerCallback

    metrics_file = run_dir / "metrics.jsonl"

    class Hooks(TrainerCallback):
        """Streams metric points to metrics.jsonl and the progress hook; polls the cancel hook."""

        def __init__(self):
            self.cancelled = False
            self.out_of_time = False
            self.started = time.perf_counter()
            self.last_loss = None
            self.points: list[MetricPoint] = []

        def _emit(self, state, new: list[MetricPoint]) -> None:
            fresh = [p for p in new if (p.step, p.split, p.name) not in known]
            for p in fresh:
                known.add((p.step, p.split, p.name))
            if fresh:
                with metrics_file.open("a", encoding="utf-8") as fh:
                    for p in fresh:
                        fh.write(json.dumps(asdict(p)) + "\n")
                self.points.extend(fresh)
            if progress:
                progress(TrainProgress(state.global_step, state.max_steps, self.last_loss, fresh, float(state.epoch or 0), time.perf_counter() - self.started))

        def on_log(self, args, state, control, logs=None, **kw):
            logs = logs or {}
            step = state.global_step
            new = []
            for key, split, name in (("loss", "train", "loss"), ("grad_norm", "train", "grad_norm"), ("learning_rate", "train", "learning_rate"), ("eval_loss", "val", "eval_loss")):
                if key in logs and logs[key] is not None and math.isfinite(float(logs[key])):
                    new.append(MetricPoint(step, split, name, float(logs[key])))
            if "loss" in logs:
                self.last_loss = float(logs["loss"])
            self._emit(state, new)

        def on_evaluate(self, args, state, control, metrics=None, model=None, **kw):
            if answer_probe is not None and model is not None:
                scores = answer_probe(model)
                self._emit(state, [MetricPoint(state.global_step, "val", k, v) for k, v in scores.items()])

        def on_step_end(self, args, state, control, **kw):
            if should_cancel is not None and should_cancel():
                self.cancelled = True
                control.should_training_stop = True
                control.should_save = True  # leave a checkpoint so the trial can be resumed
                return
            if config.max_train_minutes and time.perf_counter() - self.started >= config.max_train_minutes * 60:
                # out of time: evaluate and keep this step, so the best checkpoint can be it
                self.out_of_time = True
                control.should_training_stop = True
                control.should_evaluate = True
                control.should_save = True
            if progress and state.global_step % max(1, config.logging_steps) != 0:
                progress(TrainProgress(state.global_step, state.max_steps, self.last_loss, [], float(state.epoch or 0), time.perf_counter() - self.started))

    return Hooks()


# --- the trial --------------------------------------------------------------------------


def run_trial(
    config: TrialConfig,
    dataset_dir: Path,
    out_dir: Path,
    home: Path,
    progress: Callable[[TrainProgress], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    resume: bool = True,
    *,
    pad_to_max_length: bool = False,
    notes: Callable[[str], None] | None = None,
) -> TrialResult:
    """Train one trial into ``out_dir``; resumes from its last checkpoint when there is one.

    ``notes`` hears what happens before the first step, such as a grounded trial training its
    dataset's missing retriever (tens of minutes on a CPU).

    ``pad_to_max_length`` pads every example to ``max_seq_length`` as the academic project
    did; it exists for the training-throughput benchmark, which compares it with our
    per-batch padding.
    """
    import torch
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    from transformers import EarlyStoppingCallback, Trainer, TrainingArguments

    from hcmqa.config import ConfigError
    from hcmqa.data.build import load_manifest
    from hcmqa.evaluation import answer_metrics
    from hcmqa.generation import Generator
    from hcmqa.models import cpu_features, load_model, load_tokenizer, resolve_compute_dtype, resolve_model
    from hcmqa.prompts import render_prompt
    from hcmqa.retrieval import Retriever
    from hcmqa.topic import dataset_topic

    cuda = torch.cuda.is_available()
    check_hardware(config, cuda)
    dataset_manifest = load_manifest(dataset_dir)
    topic = dataset_topic(dataset_dir)
    model_path = resolve_model(config.base_model, home)
    out_dir.mkdir(parents=True, exist_ok=True)
    ckpt_dir = out_dir / "checkpoints"
    checkpoint = last_complete_checkpoint(ckpt_dir) if resume else None
    last = str(checkpoint) if checkpoint else None
    manifest_path = out_dir / "manifest.json"
    if manifest_path.is_file():
        previous = json.loads(manifest_path.read_text())
        if previous.get("config") != config.to_dict():
            raise ConfigError({"out": f"{out_dir} holds a different trial; choose another --out directory"})
        if previous.get("status") == "succeeded":
            summary = previous.get("summary", {})
            return TrialResult("succeeded", out_dir, summary, _read_points(out_dir / "metrics.jsonl"))

    manifest = {
        "config": config.to_dict(),
        "dataset": {"path": str(dataset_dir.resolve()), "name": dataset_manifest["name"], "version": dataset_manifest["version"], "files": dataset_manifest.get("files", {})},
        "topic": {"subject": topic.subject, "description": topic.description, "sha256": topic.sha256()},
        "base_model": {"name": config.base_model, "path": model_path},
        "versions": _versions(),
        "device": "cuda" if cuda else "cpu",
        "status": "running",
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "resumed_from": last,
    }
    atomic_write_json(manifest_path, manifest, default=str)

    tokenizer = load_tokenizer(model_path, padding_side="right")
    retriever = None
    if config.mode == "grounded":
        from hcmqa.retriever_training import ensure_retriever, retriever_summary

        manifest["retriever"] = retriever_summary(ensure_retriever(dataset_dir, progress=notes))
        atomic_write_json(manifest_path, manifest, default=str)
        retriever = Retriever.from_dataset(dataset_dir)
    train_pairs = read_split(dataset_dir, "train")
    val_pairs = read_split(dataset_dir, "val")
    if config.val_limit:
        val_pairs = val_pairs[: config.val_limit]
    if not train_pairs or not val_pairs:
        raise ValueError(f"{dataset_dir}: the dataset needs both train and val questions")
    train_items = [tokenize_example(tokenizer, m, a, config.max_seq_length) for m, a in training_messages(train_pairs, config, retriever, topic)]
    val_items = [tokenize_example(tokenizer, m, a, config.max_seq_length) for m, a in training_messages(val_pairs, config, retriever, topic)]

    # "auto": bfloat16 where this machine computes it natively, float32 elsewhere (recorded)
    compute_dtype = resolve_compute_dtype(config.compute_dtype)
    manifest["compute"] = {"dtype": compute_dtype, "requested": config.compute_dtype, "cpu_features": cpu_features()}
    atomic_write_json(manifest_path, manifest, default=str)
    model = load_model(model_path, load_in_4bit=config.load_in_4bit, double_quant=config.double_quant, compute_dtype=compute_dtype)
    modules = linear_module_names(model)
    problems = config.problems(model_modules=modules)
    n_layers = getattr(model.config, "num_hidden_layers", None)
    if n_layers is not None and config.freeze_first_layers >= n_layers:
        problems["freeze_first_layers"] = f"the model has {n_layers} decoder layers; freeze fewer than that"
    if problems:
        raise ConfigError(problems)
    if config.load_in_4bit:
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=list(config.target_modules),
        # "Freezing the first N layers" with LoRA means: no adapters there, so they stay as trained.
        layers_to_transform=list(range(config.freeze_first_layers, n_layers)) if config.freeze_first_layers and n_layers else None,
        bias="none",
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(model, lora)
    trainable, total = model.get_nb_trainable_parameters()

    probe_pairs = val_pairs[: config.eval_generate_samples]
    probe_prompts = [render_prompt(tokenizer, m) for m, _ in training_messages(probe_pairs, config, retriever, topic)]

    probe_recall = retrieval_recall(retriever, probe_pairs, config.top_k) if retriever is not None else None

    def answer_probe(current_model) -> dict:
        gen_tok = load_tokenizer(model_path)
        generator = Generator(current_model, gen_tok, max_new_tokens=config.max_new_tokens, batch_size=16)
        answers = [g.text for g in generator.generate(probe_prompts)]
        scores = answer_metrics(answers, probe_pairs)
        if probe_recall is not None:
            scores["retrieval_recall"] = probe_recall
        return scores

    known = {(p.step, p.split, p.name) for p in _read_points(out_dir / "metrics.jsonl")}
    hooks = _make_callbacks(out_dir, config, progress, should_cancel, answer_probe if probe_pairs else None, known)
    callbacks = [hooks]
    if config.early_stopping_patience:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=config.early_stopping_patience))
    steps_per_epoch = math.ceil(len(train_items) / (config.batch_size * config.grad_accum))
    total_steps = config.max_steps or math.ceil(steps_per_epoch * config.epochs)
    args = TrainingArguments(
        output_dir=str(ckpt_dir),
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.scheduler,
        warmup_steps=int(round(config.warmup_ratio * total_steps)),
        num_train_epochs=config.epochs,
        max_steps=config.max_steps or -1,
        optim=config.optimizer,
        max_grad_norm=config.max_grad_norm,
        weight_decay=config.weight_decay,
        eval_strategy="steps",
        eval_steps=config.eval_steps,
        save_strategy="steps",
        save_steps=config.eval_steps,
        save_total_limit=config.save_total_limit,
        load_best_model_at_end=True,
        metric_for_best_model="eval_loss",
        greater_is_better=False,
        logging_steps=config.logging_steps,
        logging_first_step=True,
        seed=config.seed,
        # bfloat16 autocast, on CUDA and on CPUs alike; the LoRA weights stay float32 (peft)
        bf16=compute_dtype == "bfloat16",
        use_cpu=not cuda,
        report_to="none",
        remove_unused_columns=False,
        dataloader_num_workers=0,
        disable_tqdm=True,
        # batches of similar lengths (little padding), in a seeded random order
        train_sampling_strategy="group_by_length",
        include_num_input_tokens_seen="non_padding",
        # eval needs only the loss: without this the Trainer gathers every eval logit
        # (batch x length x 49k vocabulary) in memory, which made evaluation slower than training
        prediction_loss_only=True,
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=ListDataset(train_items),
        eval_dataset=ListDataset(val_items),
        data_collator=make_collator(tokenizer, pad_to=config.max_seq_length if pad_to_max_length else None),
        compute_loss_func=answer_loss,
        callbacks=callbacks,
    )
    began = time.perf_counter()
    output = trainer.train(resume_from_checkpoint=last)
    seconds = time.perf_counter() - began
    state = trainer.state
    stopped_early = not hooks.cancelled and state.global_step < state.max_steps
    status = "cancelled" if hooks.cancelled else "succeeded"
    if not hooks.cancelled:
        # load_best_model_at_end has restored the best checkpoint's weights
        model.save_pretrained(str(out_dir / "adapter"))
        tokenizer.save_pretrained(str(out_dir / "adapter"))
    points = _read_points(out_dir / "metrics.jsonl")
    summary = {
        "global_step": state.global_step,
        "max_steps": state.max_steps,
        "stopped_early": stopped_early,
        "stopped_by_time_limit": hooks.out_of_time,
        "best_eval_loss": state.best_metric,
        "best_checkpoint": state.best_model_checkpoint,
        "train_loss": output.training_loss,
        "train_seconds": round(seconds, 1),
        "tokens_seen": int(state.num_input_tokens_seen or 0),
        "tokens_per_second": round(float(state.num_input_tokens_seen or 0) / max(seconds, 1e-9), 1),
        "trainable_parameters": trainable,
        "total_parameters": total,
        "train_examples": len(train_items),
        "val_examples": len(val_items),
    }
    for name in ("key_fact_accuracy", "token_f1", "exact_match"):
        values = [p for p in points if p.name == name and p.split == "val"]
        if values:
            summary[f"val_{name}"] = values[-1].value
    manifest.update({"status": status, "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "summary": summary})
    atomic_write_json(manifest_path, manifest, default=str)
    return TrialResult(status, out_dir, summary, points, stopped_early)


def _read_points(path: Path) -> list[MetricPoint]:
    """Metric points from ``metrics.jsonl``; a last line cut short by a killed process is skipped."""
    if not path.is_file():
        return []
    points = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                points.append(MetricPoint(**json.loads(line)))
            except (ValueError, TypeError):
                continue
    return points
