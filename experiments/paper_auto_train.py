"""paper_auto_train: a paper's method, tried as a variant beside the baseline, with a verdict.

    python -m experiments.paper_auto_train --text paper.txt --server http://localhost:8000/v1
    python -m experiments.paper_auto_train --title "Gated Attention for LLMs" --abstract "..."

Steps (AutoModel's paper_auto_train): the model extracts a structured method record from the
text; the record is mapped onto a declarative template of registered blocks (the baseline is
SASRec; the gated-attention paper maps onto its per-head sigmoid gate); both are trained on the
same data and split with the same budget and seeds and scored on the same metrics, per user
segment; a markdown report and a PNG plot say where the variant helps or hurts; the template's
fate goes to the knowledge store (accepted when it helps, otherwise rejected with a negative
case and its reason). Without ``--server`` (or ``--replay``) keyword rules stand in for the LLM.
Exit status: 0 done, 2 extraction failed, 3 no valid template (each still writes its report).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from agentic_env.data import InteractionLog, load
from agentic_env.data.segments import user_segments
from agentic_env.data.splits import Split, leave_last_k_out
from agentic_env.store import (
    EvaluationKey,
    EvaluationResult,
    KnowledgeStore,
    TemplateStatus,
    config_hash,
)
from experiments import paper_report
from policies.proposer import (
    BlockRegistry,
    ChatBackend,
    InvalidTemplate,
    RecordingBackend,
    ReplayBackend,
    ResolvedTemplate,
    TemplateSpec,
    default_registry,
)
from policies.proposer.evaluate import UserScores, fit_and_score
from policies.proposer.paper import PaperFlowError, PaperSteps, heuristic_method, rule_map
from policies.proposer.schema import BlockUse, MethodRecord

SHARED_ML100K = Path(__file__).resolve().parents[2] / "shared" / "data" / "movielens-100k"
SPLIT = "leave_last_1_out"
TRAINING_KEYS = ("epochs", "lr", "max_len")  # the budget: never taken from a template


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m experiments.paper_auto_train",
                                description=__doc__.split("\n\n")[0] if __doc__ else None)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--text", type=Path, help="a text file with the paper (or its abstract)")
    src.add_argument("--title", help="the paper's title (add --abstract for more)")
    p.add_argument("--abstract", default="")
    p.add_argument("--server", help="OpenAI-compatible base URL, e.g. http://localhost:8000/v1")
    p.add_argument("--model", default="local", help="model name on the server")
    p.add_argument("--api-key-env", default="OPENAI_API_KEY")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    p.add_argument("--retries", type=int, default=3, help="retries on 429/5xx/time-outs")
    p.add_argument("--record", type=Path, help="append prompts and replies to this JSONL")
    p.add_argument("--replay", type=Path, help="answer from a recording instead of a server")
    p.add_argument("--dataset", help="registered name (default: ML-100K from ../shared/data "
                   "when present, else the bundled MovieLens latest-small)")
    p.add_argument("--data-path", type=Path, help="local copy of the dataset")
    p.add_argument("--max-users", type=int, default=300, help="users kept (seeded draw)")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--dim", type=int, default=32)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--seeds", type=int, default=2, help="training seeds per model")
    p.add_argument("--k", type=int, default=10, help="cut-off of recall and NDCG")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=Path("outputs/paper_auto_train"))
    p.add_argument("--allow-param-changes", action="store_true",
                   help="let the template change backbone parameters too (not the budget)")
    p.add_argument("--store", help="knowledge store path or URL (default OUT/knowledge.sqlite)")
    return p.parse_args(argv)


def make_backend(args: argparse.Namespace) -> ChatBackend | None:
    backend: ChatBackend | None = None
    if args.replay is not None:
        backend = ReplayBackend(args.replay)
    elif args.server:
        from policies.proposer.openai_compat import OpenAICompatBackend, OpenAICompatConfig

        backend = OpenAICompatBackend(OpenAICompatConfig(
            base_url=args.server, model=args.model, api_key_env=args.api_key_env,
            timeout_s=args.timeout, max_retries=args.retries, max_calls=10))
    if backend is not None and args.record is not None:
        backend = RecordingBackend(backend, args.record)
    return backend


def load_data(args: argparse.Namespace) -> tuple[InteractionLog, Split]:
    if args.dataset is not None:
        log = load(args.dataset, path=args.data_path)
    elif SHARED_ML100K.is_dir():
        log = load("movielens-100k", path=SHARED_ML100K)
    else:
        log = load()  # the bundled default: no network needed
    if 0 < args.max_users < log.n_users:
        keep = np.zeros(log.n_users, bool)
        active = np.flatnonzero(log.user_counts() > 0)
        rng = np.random.default_rng(args.seed)
        keep[rng.choice(active, min(args.max_users, active.size), replace=False)] = True
        log = log.subset(keep[log.users])
    return log, leave_last_k_out(log, k=1, valid_k=1)


def baseline_spec(args: argparse.Namespace) -> TemplateSpec:
    params = {"dim": args.dim, "n_layers": args.layers, "n_heads": 2, "max_len": 50,
              "epochs": args.epochs, "lr": 1e-3, "dropout": 0.2}
    return TemplateSpec(name="sasrec_baseline", agent="retrieval", knob="model",
                        blocks=[BlockUse(block="sasrec", params=params)])


def controlled(variant: ResolvedTemplate, baseline: ResolvedTemplate, registry: BlockRegistry,
               allow_params: bool) -> tuple[ResolvedTemplate, list[str]]:
    """The variant as the baseline plus the template's added blocks, and what was dropped.

    A controlled comparison changes one thing: the backbone's parameters stay the baseline's
    (unless ``allow_params``; the training budget stays the baseline's always), and a template
    that swaps the backbone or adds no block is not a variant of this baseline.
    """
    spec, base = variant.spec, baseline.spec.blocks[0]
    if spec.blocks[0].block != base.block:
        swapped = spec.blocks[0].block
        raise PaperFlowError("mapping", [f"the template swaps the backbone for {swapped!r}; "
                                         f"a variant keeps {base.block!r}"])
    params = dict(base.params)
    if allow_params:
        params |= {k: v for k, v in spec.blocks[0].params.items() if k not in TRAINING_KEYS}
    dropped = [f"{k}={v}" for k, v in spec.blocks[0].params.items() if params.get(k) != v]
    blocks = [BlockUse(block=base.block, params=params), *spec.blocks[1:]]
    if blocks == list(baseline.spec.blocks):
        raise PaperFlowError("mapping", ["the template adds nothing to the baseline "
                                         f"(dropped parameter changes: {dropped or 'none'})"])
    try:
        return registry.resolve(spec.model_copy(update={"blocks": blocks})), dropped
    except InvalidTemplate as err:
        raise PaperFlowError("mapping", [err.reason]) from err


def train_all(resolved: ResolvedTemplate, split: Split, args: argparse.Namespace
              ) -> list[UserScores]:
    return [fit_and_score(resolved, split.train, split.test, k=args.k, seed=args.seed + s)
            for s in range(args.seeds)]


def store_scores(store: KnowledgeStore, run_id: int, dataset: str, resolved: ResolvedTemplate,
                 scores: list[UserScores], codes: np.ndarray, k: int, seed: int) -> None:
    config = {"model": resolved.spec.name, **resolved.kwargs}
    for s, result in enumerate(scores):
        seg = {name: float(np.nanmean(result.ndcg[codes[result.users] == i]))
               for i, name in enumerate(paper_report.USER_SEGMENTS)
               if (codes[result.users] == i).any()}
        means = result.means(k)
        key = EvaluationKey.for_config(dataset, SPLIT, "retrieval", config, 1.0, seed + s)
        store.record_evaluation(key, EvaluationResult(
            inner=means, segments={n: {f"ndcg@{k}": v} for n, v in seg.items()},
            objective=means[f"ndcg@{k}"]), config=config, run_id=run_id, on_conflict="replace")


def per_user(scores: list[UserScores]) -> np.ndarray:
    return np.mean([s.ndcg for s in scores], axis=0)


class Run:
    """One paper_auto_train run: its arguments, store, output folder and collected reasons."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.out: Path = args.out
        self.out.mkdir(parents=True, exist_ok=True)
        self.store = KnowledgeStore.open(args.store or self.out / "knowledge.sqlite")
        self.run_id = self.store.start_run("paper_auto_train", seed=args.seed, config={
            k: str(v) for k, v in vars(args).items()})
        self.registry = default_registry()
        self.backend = make_backend(args)
        self.rejections: list[str] = []
        self.dropped: list[str] = []
        self.title = args.title or (args.text.stem if args.text else "paper")

    def text(self) -> str:
        if self.args.text is not None:
            return str(self.args.text.read_text(encoding="utf-8", errors="replace"))
        return f"{self.args.title}. {self.args.abstract}".strip()

    def method(self) -> MethodRecord:
        if self.backend is None:
            return heuristic_method(self.text(), self.title)
        steps = PaperSteps(self.backend, self.registry)
        try:
            return steps.extract(self.text())
        finally:
            self.rejections += steps.rejections

    def variant(self, record: MethodRecord, baseline: TemplateSpec) -> ResolvedTemplate:
        if self.backend is None:
            return rule_map(record, baseline, self.registry)
        steps = PaperSteps(self.backend, self.registry)
        try:
            return steps.map(record, baseline)
        finally:
            self.rejections += steps.rejections

    def fail(self, step: str, err: PaperFlowError, record: MethodRecord | None) -> int:
        reason = f"paper_auto_train {step} failed for {self.title!r}: {'; '.join(err.reasons)}"
        self.store.record_negative_case("retrieval", reason, run_id=self.run_id, details={
            "stage": step, "paper": self.title,
            "method": record.model_dump() if record else None})
        (self.out / "report.md").write_text(
            f"# paper_auto_train: {self.title}\n\n{reason}\n\n"
            + "\n".join(f"- {r}" for r in self.rejections) + "\n", encoding="utf-8")
        self.store.finish_run(self.run_id, "failed")
        print(reason)
        return 2 if step == "extraction" else 3

    def execute(self) -> int:
        started = time.perf_counter()
        try:
            record = self.method()
        except PaperFlowError as err:
            return self.fail("extraction", err, None)
        (self.out / "method_record.json").write_text(record.model_dump_json(indent=2))
        base_spec = baseline_spec(self.args)
        baseline = self.registry.resolve(base_spec)
        try:
            variant, self.dropped = controlled(self.variant(record, base_spec), baseline,
                                               self.registry, self.args.allow_param_changes)
        except PaperFlowError as err:
            return self.fail("mapping", err, record)
        return self.compare(record, baseline, variant, started)

    def compare(self, record: MethodRecord, baseline: ResolvedTemplate,
                variant: ResolvedTemplate, started: float) -> int:
        spec = variant.spec
        template = self.store.record_template("retrieval", spec.knob, spec.name, spec.spec(),
                                              proposer=f"paper:{self.title}"[:64],
                                              run_id=self.run_id)
        if template.status is TemplateStatus.PROPOSED:
            self.store.update_template_status(template.id, TemplateStatus.VALIDATED)
        log, split = load_data(self.args)
        codes = user_segments(split.train)
        base_scores, var_scores = train_all(baseline, split, self.args), train_all(
            variant, split, self.args)
        users = base_scores[0].users
        rows = paper_report.compare(per_user(base_scores), per_user(var_scores), codes[users],
                                    self.args.seed)
        for resolved, scores in ((baseline, base_scores), (variant, var_scores)):
            store_scores(self.store, self.run_id, log.name, resolved, scores, codes,
                         self.args.k, self.args.seed)
        conclusion = self.conclude(template.id, template.status, rows, record, variant)
        self.write_report(record, baseline, variant, log, split, rows, conclusion, started)
        self.store.finish_run(self.run_id)
        print(conclusion)
        return 0

    def conclude(self, template_id: int, status: TemplateStatus, rows: list[paper_report.Row],
                 record: MethodRecord, variant: ResolvedTemplate) -> str:
        overall = rows[0]
        helped = [r.segment for r in rows[1:] if r.verdict == "helps"]
        hurt = [r.segment for r in rows[1:] if r.verdict == "hurts"]
        metric = f"NDCG@{self.args.k}"
        text = (f"Overall: {overall.verdict} ({metric} {overall.baseline:.4f} -> "
                f"{overall.variant:.4f}, Δ {overall.delta:+.4f}, 95% CI [{overall.low:+.4f}, "
                f"{overall.high:+.4f}]). Helps in: {helped or 'no segment'}; hurts in: "
                f"{hurt or 'no segment'}.")
        if status not in (TemplateStatus.PROPOSED, TemplateStatus.VALIDATED):
            return text + f" The template was already {status.value}; its status is unchanged."
        self.store.update_template_status(template_id, TemplateStatus.EVALUATED,
                                          f"delta {metric} {overall.delta:+.4g}")
        if overall.verdict == "helps":
            self.store.update_template_status(template_id, TemplateStatus.ACCEPTED, text)
            return text + " Accepted: the template may fill a reserved slot."
        reason = f"{variant.spec.name} ({self.title}): {text}"
        self.store.update_template_status(template_id, TemplateStatus.REJECTED, text)
        self.store.record_negative_case("retrieval", reason, template_id=template_id,
                                        run_id=self.run_id, details={
                                            "stage": "evaluation", "paper": self.title,
                                            "method": record.model_dump(),
                                            "config_hash": config_hash(dict(variant.kwargs))})
        return text + " Stored as a negative case."

    def write_report(self, record: MethodRecord, baseline: ResolvedTemplate,
                     variant: ResolvedTemplate, log: InteractionLog, split: Split,
                     rows: list[paper_report.Row], conclusion: str, started: float) -> None:
        metric = f"NDCG@{self.args.k}"
        paper_report.plot(rows, metric, self.out / "segments.png")
        changed = [f"{k}: {baseline.kwargs.get(k, 'default')} -> {v}"
                   for k, v in variant.kwargs.items() if baseline.kwargs.get(k) != v]
        blocks = (f"`{variant.spec.name}`: {json.dumps(variant.spec.spec()['blocks'])}\n\n"
                  f"Differs from the baseline in: {', '.join(changed) or 'nothing'}"
                  + (f"\n\nParameter changes of the template not applied (controlled "
                     f"comparison; see --allow-param-changes): {', '.join(self.dropped)}"
                     if self.dropped else ""))
        setup = {"data": f"{log.name}, {len(log)} interactions of "
                         f"{int((log.user_counts() > 0).sum())} users", "split": SPLIT,
                 "train / valid / test rows": split.sizes(), "seeds": self.args.seeds,
                 "baseline": json.dumps(dict(baseline.kwargs)),
                 "proposer": self.backend.name if self.backend else "offline keyword rules",
                 "wall seconds": round(time.perf_counter() - started, 1)}
        text = paper_report.markdown(self.title, record.model_dump(), blocks, setup, rows,
                                     metric, conclusion, self.rejections, "segments.png")
        (self.out / "report.md").write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    run = Run(parse_args(argv))
    try:
        return run.execute()
    finally:
        run.store.close()


if __name__ == "__main__":
    raise SystemExit(main())
