"""Fits the recognizer's fusion model (bot/core/data/fusion.json) on the development sets.

Every case is routed; each candidate intent is labelled right when answering with it would show
one of the case's expected words (an out-of-scope case: when it is a decline topic). A logistic
model over the candidates' features (bot/core/hybrid.py) is fitted by gradient descent, then the
answer / margin / suggest thresholds are chosen to maximize in-scope answers plus declines.
Never fit on the blind held-out set (bench/heldout/): it is what the figures are reported on.

Usage: python bench/fit_fusion.py [SET ...] [--out FILE]
(default: the three shared development sets, written to bot/core/data/fusion.json)
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

import yaml

from bot.core.embedding import StaticEmbedding
from bot.core.hybrid import (
    FEATURES,
    FUSION,
    GATE_FEATURES,
    FusionModel,
    HybridRouter,
    decide,
    gate_features,
)
from bot.core.kb import Kind
from bot.core.loader import load_knowledge
from bot.core.replies import intent_reply
from bot.core.router import Outcome

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
SETS = [EVAL / "dev.yaml", EVAL / "dev2.yaml", EVAL / "calibration.yaml"]
DECLINE_FLOOR = 0.985
"""The threshold search maximizes right answers among thresholds that decline at least this
share of the development sets' out-of-scope messages (unseen ones decline fewer: aim above the
90% that users should see)."""
SUGGEST_SHARE = 0.75
"""The "did you mean" band starts at this share of the answer threshold: below, a decline."""
NEWTON_STEPS = 25
L2 = 1.0
"""Ridge on the weights (in the sum over all rows, not the mean)."""


def examples(router: HybridRouter, paths: list[Path]):
    """For every case of the sets: the case, whether it is in scope, each candidate's (features,
    label), the candidates, and (empty) probabilities for the caller to fill."""
    kb = router.kb
    shown = {i.id: intent_reply(i, kb).text.lower() for i in router.intents}
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data.get("cases", []):
            in_scope = case["kind"] != "out_of_scope"
            expected = [e.lower() for e in case.get("expect_any", [])]
            rows = []
            candidates = router.features(case["say"])
            for intent, features in candidates:
                declines = intent.topic.kind is Kind.DECLINE
                if in_scope:
                    label = not declines and any(e in shown[intent.id] for e in expected)
                else:
                    label = declines
                rows.append((features, float(label)))
            yield case, in_scope, rows, candidates, []


def fit(
    rows: list[tuple[dict[str, float], float]], features: tuple[str, ...] = FEATURES
) -> tuple[dict[str, float], float]:
    """Logistic regression by Newton's method (IRLS) with a little L2."""
    names = ["(bias)", *features]
    size = len(names)
    beta = [0.0] * size
    data = [([1.0, *(row[k] for k in features)], label) for row, label in rows]
    for _ in range(NEWTON_STEPS):
        gradient = [L2 * b for b in beta]
        hessian = [[L2 if i == j else 0.0 for j in range(size)] for i in range(size)]
        gradient[0] -= L2 * beta[0]  # the bias is not shrunk
        for x, label in data:
            z = sum(b * v for b, v in zip(beta, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            w = p * (1 - p)
            for i in range(size):
                if x[i]:
                    gradient[i] += (p - label) * x[i]
                    wi = w * x[i]
                    row = hessian[i]
                    for j in range(size):
                        if x[j]:
                            row[j] += wi * x[j]
        step = _solve(hessian, gradient)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return dict(zip(features, beta[1:], strict=True)), beta[0]


def fit_gate(cases) -> tuple[dict[str, float], float]:
    """The answer gate: is answering with the best candidate right (declines: never)?"""
    rows = []
    for _case, in_scope, labels, candidates, probabilities in cases:
        gate, answers, _decline = gate_features(candidates, probabilities)
        if not answers:
            continue
        good = {c.id for (c, _f), (_g, label) in zip(candidates, labels, strict=True) if label}
        rows.append((gate, float(in_scope and answers[0].intent.id in good)))
    weights, bias = fit(rows, GATE_FEATURES)
    return weights, bias


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Solve matrix · x = vector by Gaussian elimination with partial pivoting."""
    size = len(vector)
    a = [[*row, v] for row, v in zip(matrix, vector, strict=True)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        if abs(a[col][col]) < 1e-12:
            continue
        for r in range(size):
            if r != col and a[r][col]:
                factor = a[r][col] / a[col][col]
                a[r] = [x - factor * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[i][size] / a[i][i] if abs(a[i][i]) >= 1e-12 else 0.0 for i in range(size)]


def score(model: FusionModel, cases) -> tuple[float, float]:
    """In-scope answered right, out-of-scope declined: the two rates under a model."""
    right = {True: 0, False: 0}
    total = {True: 0, False: 0}
    for case, in_scope, rows, candidates, probabilities in cases:
        total[in_scope] += 1
        decision = decide(case["say"], candidates, probabilities, model)
        if in_scope:
            good = {c.id for (c, _f), (_g, label) in zip(candidates, rows, strict=True) if label}
            right[True] += decision.outcome is Outcome.ANSWER and decision.top.intent.id in good
        else:
            right[False] += decision.outcome is not Outcome.ANSWER
    return right[True] / max(total[True], 1), right[False] / max(total[False], 1)


def main() -> None:
    args = sys.argv[1:]
    out = Path(args[args.index("--out") + 1]) if "--out" in args else FUSION
    given = [a for i, a in enumerate(args) if not a.startswith("--") and args[i - 1] != "--out"]
    paths = [Path(p) for p in given] or SETS
    kb = (
        load_knowledge(Path(os.environ["ARCHBOT_KNOWLEDGE"]))
        if os.environ.get("ARCHBOT_KNOWLEDGE")
        else load_knowledge()
    )
    placeholder = FusionModel(dict.fromkeys(FEATURES, 0.0), 0.0, 0.5, 0.0, 0.3, 0.6, 0.95)
    router = HybridRouter(kb, StaticEmbedding.load(), placeholder)
    cases = list(examples(router, paths))
    weights, bias = fit(
        [
            row
            for _c, _s, rows, candidates, _p in cases
            for row, (intent, _f) in zip(rows, candidates, strict=True)
            if intent.topic.kind is not Kind.DECLINE
        ]
    )
    fitted = FusionModel(weights, bias, 0.5, 0.0, 0.3, 0.6, 0.95)
    cases = [
        (case, in_scope, rows, candidates, [fitted.probability(f) for _i, f in candidates])
        for case, in_scope, rows, candidates, _p in cases
    ]
    gate, gate_bias = fit_gate(cases)
    best = None
    for answer in [x / 100 for x in range(10, 80, 2)]:
        for margin in (0.0, 0.02, 0.04, 0.08):
            for decline in (0.5, 0.6, 0.7, 0.8, 0.9):
                for certain in (0.8, 0.9, 0.97):
                    suggest = answer * SUGGEST_SHARE
                    model = FusionModel(
                        weights, bias, answer, margin, suggest, decline, certain, gate, gate_bias
                    )
                    in_scope, declined = score(model, cases)
                    # most answers right while declining at least DECLINE_FLOOR of the rest
                    objective = in_scope + (declined if declined < DECLINE_FLOOR else 1.0)
                    if best is None or objective > best[0]:
                        best = (objective, model, in_scope, declined)
    _, model, in_scope, declined = best
    out.write_text(
        json.dumps(
            {
                "fitted_on": [p.name for p in paths],
                "weights": {k: round(v, 4) for k, v in model.weights.items()},
                "bias": round(model.bias, 4),
                "answer": model.answer,
                "margin": model.margin,
                "suggest": round(model.suggest, 4),
                "decline": model.decline,
                "certain": model.certain,
                "gate": {k: round(v, 4) for k, v in model.gate.items()},
                "gate_bias": round(model.gate_bias, 4),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"in-scope {in_scope:.3f}  out-of-scope declined {declined:.3f}  → {out}")
    print(json.dumps({k: round(v, 3) for k, v in model.weights.items()}))


def diagnose() -> None:
    """Top-1 accuracy of the fitted model on in-scope cases, and the candidates' ceiling."""
    kb = load_knowledge()
    router = HybridRouter(kb, StaticEmbedding.load(), FusionModel.load())
    for path in SETS:
        cases = [c for c in examples(router, [path]) if c[1]]
        ceiling = sum(any(label for _f, label in c[2]) for c in cases)
        top1 = 0
        for _case, _s, rows, candidates, _p in cases:
            ranked = [
                (router.model.probability(f), label)
                for (intent, _f), (f, label) in zip(candidates, rows, strict=True)
                if intent.topic.kind is not Kind.DECLINE
            ]
            top1 += bool(ranked) and max(ranked, key=lambda r: r[0])[1] > 0
        print(f"{path.name}: top-1 {top1}/{len(cases)}  ceiling {ceiling}")


if __name__ == "__main__":
    if "--diagnose" in sys.argv:
        diagnose()
    else:
        main()
