"""The offline baseline proposer, and the whole loop on a pipeline with real (tiny) trainings."""

from __future__ import annotations

from functools import partial

import numpy as np

from agentic_env.data.splits import leave_last_k_out
from agentic_env.pipeline import Pipeline
from agentic_env.store import KnowledgeStore, TemplateStatus, config_hash
from agents.retrieval_agent import MODELS, RetrievalAgent
from policies.proposer import (
    HeuristicProposer,
    ProposalContext,
    TemplateSpec,
    build_context,
    default_registry,
    evaluate_retrieval,
    propose_and_integrate,
    resolve_target,
    restore_accepted,
)
from tests.agents.test_retrieval_common import toy_log


def context(store: KnowledgeStore) -> ProposalContext:
    return build_context(store, RetrievalAgent().decision_space(), "retrieval", "model")


def test_proposals_are_valid_distinct_and_seeded(store: KnowledgeStore) -> None:
    first = HeuristicProposer(seed=3).propose(context(store), 6)
    again = HeuristicProposer(seed=3).propose(context(store), 6)
    other = HeuristicProposer(seed=4).propose(context(store), 6)
    assert [p.raw for p in first] == [p.raw for p in again] != [p.raw for p in other]
    specs = [TemplateSpec.model_validate(p.raw) for p in first]
    assert len({s.name for s in specs}) == 6
    for spec in specs:
        default_registry().resolve(spec)  # raises if a proposal were invalid
    assert {s.blocks[0].block for s in specs} <= {"sasrec", "mf", "item_knn"}


def test_tried_specs_are_not_proposed_again(store: KnowledgeStore) -> None:
    (proposal,) = HeuristicProposer(seed=1).propose(context(store), 1)
    spec = TemplateSpec.model_validate(proposal.raw)
    store.record_template("retrieval", "model", spec.name, spec.spec())
    later = HeuristicProposer(seed=1).propose(context(store), 5)
    tried = config_hash(spec.spec())
    assert all(config_hash(TemplateSpec.model_validate(p.raw).spec()) != tried for p in later)


def test_fixed_parameters_are_pinned(store: KnowledgeStore) -> None:
    proposals = HeuristicProposer(seed=0, fixed={"epochs": 2}).propose(context(store), 8)
    for p in proposals:
        base = TemplateSpec.model_validate(p.raw).blocks[0]
        if base.block in ("sasrec", "mf"):
            assert base.params["epochs"] == 2


def test_pipeline_slots_grow_with_really_trained_templates(store: KnowledgeStore) -> None:
    split = leave_last_k_out(toy_log(), k=1, valid_k=0)
    evaluate = partial(evaluate_retrieval, train=split.train, test=split.test, k=5)
    pipeline = Pipeline()
    before = pipeline.space["recall_1.model"].mask().sum()
    proposer = HeuristicProposer(seed=0, fixed={"epochs": 2, "n_layers": 1, "dim": 16})
    names = propose_and_integrate(proposer, store, pipeline, "retrieval", evaluate, n=2)
    assert names, "with an empty store any finite score is accepted"
    for source in ("recall_0", "recall_1", "recall_2"):
        knob = pipeline.space[f"{source}.model"]
        assert knob.mask().sum() == before + len(names)
        assert list(knob.available[len(MODELS):]) == names
    accepted = store.templates(status=TemplateStatus.ACCEPTED)
    assert [t.name for t in accepted] == names
    # the agent trains the accepted template through its ordinary config
    agent = RetrievalAgent()
    agent.decision_space().fill_slot("model", names[0])
    scores = agent.fit(split.train, {"model": names[0]}).evaluate(split.test, k=5)
    assert np.isfinite(scores["recall@k"])
    # a new process resumes with the same enlarged action set
    fresh = Pipeline()
    restored = restore_accepted(store, resolve_target(fresh, "retrieval", "model"),
                                default_registry())
    assert restored == names and fresh.space["recall_2.model"].mask().sum() == before + len(names)
