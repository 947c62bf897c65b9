"""Router scaling: time per message on the real knowledge base and on copies grown 10x and 100x,
with the development set's accuracy alongside, so speed is never bought with wrong answers.

How a knowledge base is grown: the real topics are copied as templates into new topics until
there are `factor` times as many. A copy keeps the template's shape (kind, number of phrases and
questions, phrase lengths) and its *generic* words — the ~40 words most topics share ("azure",
"model", "data", "train", "spark" …), which is what makes the inverted index's common postings
grow with the knowledge base, as they would in a real one — and replaces every other word with a
made-up word of its own (each copy has its own vocabulary, as a new service has its own name and
terms). Copies carry neutral answer text, so a copy that wins a development question counts as a
wrong answer. The same seed gives the same knowledge base.

Each row also checks what the router's candidate pruning changed: every development question
is routed a second time by scoring every phrase that shares a term with it
(`Router(..., prune=False)`). The decisions (outcome, the intent answered or the intents
offered, and their scores) must be identical; the whole ranked list (five intents, shown in the
Emulator's trace) is identical on the real knowledge base, while on large ones the entries below
what can change a decision are the best of the candidates the router scored.

Run: `python bench/router_scaling.py [--factors 1 10 100] [--json out.json]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.embedding import StaticEmbedding  # noqa: E402
from bot.core.hybrid import FusionModel, HybridRouter  # noqa: E402
from bot.core.kb import Kind, KnowledgeBase, Question, Topic  # noqa: E402
from bot.core.loader import load_knowledge  # noqa: E402
from bot.core.replies import Replies  # noqa: E402
from bot.core.router import Decision, Outcome, Router  # noqa: E402
from bot.core.text import Normalizer, stem  # noqa: E402

DEV_SET = ROOT.parent / "shared" / "eval" / "dev.yaml"
GENERIC_WORDS = 40
"""How many of the knowledge base's most widespread words copies keep."""
TEMPLATE_KINDS = {
    Kind.CONCEPT,
    Kind.SERVICE,
    Kind.MODEL,
    Kind.PLATFORM,
    Kind.TOOL,
    Kind.LANGUAGE,
    Kind.REFERENCE_ARCHITECTURE,
    Kind.CUSTOMER_STORY,
}
_ONSETS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "w",
    "z",
    "br",
    "dr",
    "gr",
    "kr",
    "pl",
    "tr",
    "st",
    "sk",
]
_VOWELS = ["a", "e", "i", "o", "u"]
_CODAS = ["b", "d", "g", "k", "l", "m", "n", "p", "r", "t", "x", "z"]


# -- growing a knowledge base -------------------------------------------------------------------


class _Words:
    """Made-up words: pronounceable, unique, none of them a real knowledge-base word."""

    def __init__(self, taken: set[str], seed: int) -> None:
        self._rng = random.Random(seed)
        self._taken = set(taken)

    def new(self) -> str:
        while True:
            syllables = self._rng.randint(2, 3)
            word = "".join(
                self._rng.choice(_ONSETS) + self._rng.choice(_VOWELS) for _ in range(syllables)
            )
            word += self._rng.choice(_CODAS)
            if word not in self._taken and stem(word) not in self._taken:
                self._taken.update((word, stem(word)))
                return word


def _generic_stems(kb: KnowledgeBase, normalizer: Normalizer) -> set[str]:
    """The stems that appear in the most topics."""
    spread: Counter[str] = Counter()
    for topic in kb.topics.values():
        texts = (topic.title, *topic.aliases, *topic.phrases)
        texts += tuple(a for q in topic.questions for a in q.ask)
        terms = {t for text in texts for t in normalizer.normalize(text).terms}
        spread.update(terms)
    ranked = sorted(spread.items(), key=lambda item: (-item[1], item[0]))  # same on every run
    return {t for t, _ in ranked[:GENERIC_WORDS]}


def grow(kb: KnowledgeBase, factor: int, seed: int = 1) -> KnowledgeBase:
    """The knowledge base with synthetic topics added until it is `factor` times as large."""
    if factor <= 1:
        return kb
    normalizer = Normalizer(kb.vocabulary)
    generic = _generic_stems(kb, normalizer)
    stopwords = kb.vocabulary.stopwords
    real_words = {
        w
        for t in kb.topics.values()
        for text in (t.title, *t.aliases, *t.phrases, *(a for q in t.questions for a in q.ask))
        for w in normalizer.normalize(text).words
    }
    words = _Words(real_words | {stem(w) for w in real_words}, seed)
    templates = [t for t in kb.topics.values() if t.kind in TEMPLATE_KINDS]
    topics = dict(kb.topics)
    wanted = len(kb.topics) * factor
    copy = 0
    while len(topics) < wanted:
        template = templates[copy % len(templates)]
        copy += 1
        own: dict[str, str] = {}

        def rewrite(text: str, own: dict[str, str] = own) -> str:
            out = []
            kept: list[tuple[int, str]] = []  # generic content words, by position
            replaced = False
            for word in text.split():
                bare = "".join(c for c in word.lower() if c.isalnum())
                if not bare or bare in stopwords:
                    out.append(word)
                    continue
                terms = normalizer.normalize(bare).terms
                if terms and all(t in generic for t in terms):
                    kept.append((len(out), bare))
                    out.append(word)
                else:
                    out.append(own.setdefault(bare, words.new()))
                    replaced = True
            if kept and not replaced:
                # only generic words ("generative AI"): a new topic still has a name of its own
                position, bare = kept[-1]
                out[position] = own.setdefault(bare, words.new())
            return " ".join(out)

        topic_id = f"synthetic-{copy}"
        topics[topic_id] = Topic(
            id=topic_id,
            title=rewrite(template.title),
            kind=template.kind,
            summary=f"Synthetic topic {copy}.",
            links=template.links[:1],
            phrases=tuple(rewrite(p) for p in template.phrases),
            aliases=tuple(rewrite(a) for a in template.aliases),
            questions=tuple(
                Question(q.id, tuple(rewrite(a) for a in q.ask), f"Synthetic answer {copy}.")
                for q in template.questions
            ),
        )
    return dataclasses.replace(kb, topics=topics)


# -- measuring ----------------------------------------------------------------------------------


def dev_cases(path: Path = DEV_SET) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text())["cases"]


def passed(case: dict[str, Any], decision: Decision, replies: Replies) -> bool:
    """The development set's criterion (as bench/eval.py scores a message on its own)."""
    answered = decision.outcome is Outcome.ANSWER
    if case["kind"] == "out_of_scope":
        return not answered
    text = replies.for_decision(decision).text.lower()
    return answered and any(e.lower() in text for e in case["expect_any"])


def decided(decision: Decision) -> tuple[Any, ...]:
    """What a decision tells the user: the outcome, and the intent answered or the intents
    offered (with their scores)."""
    if decision.outcome is Outcome.NONE:
        return (decision.outcome,)
    shown = decision.matches[:1] if decision.outcome is Outcome.ANSWER else decision.matches
    return (decision.outcome, tuple((m.intent.id, m.score) for m in shown))


def ranked(decision: Decision) -> tuple[Any, ...]:
    """The whole ranked list a decision carries (shown in the Emulator's trace)."""
    return (decision.outcome, tuple((m.intent.id, m.score) for m in decision.matches))


def measure(kb: KnowledgeBase, cases: list[dict[str, Any]], passes: int = 5) -> dict[str, Any]:
    """Build a router over `kb` and time it on the development set's messages."""
    says = [c["say"] for c in cases]
    stem.cache_clear()
    started = time.perf_counter()
    router = Router(kb)
    build = time.perf_counter() - started
    stem.cache_clear()
    started = time.perf_counter()
    decisions = [router.route(s) for s in says]
    cold = (time.perf_counter() - started) / len(says)
    warm = per_message_times(router.route, says, passes, statistics.fmean)
    replies = Replies(kb)
    in_scope = [c for c in cases if c["kind"] != "out_of_scope"]
    ok = {c["id"]: passed(c, d, replies) for c, d in zip(cases, decisions, strict=True)}
    reference = Router(kb, prune=False)
    unpruned = [reference.route(s) for s in says]
    pairs = list(zip(decisions, unpruned, strict=True))
    recognizer = measure_recognizer(kb, cases, replies, passes)
    return {
        **recognizer,
        "topics": len(kb.topics),
        "intents": len(router.intents),
        "phrases": router.phrase_count,
        "build_s": build,
        "us_per_message": statistics.fmean(warm) * 1e6,
        "us_p90": sorted(warm)[int(0.9 * (len(warm) - 1))] * 1e6,
        "us_max": max(warm) * 1e6,
        "us_cold": cold * 1e6,
        "in_scope": sum(ok[c["id"]] for c in in_scope),
        "in_scope_total": len(in_scope),
        "out_of_scope": sum(ok[c["id"]] for c in cases if c["kind"] == "out_of_scope"),
        "out_of_scope_total": len(cases) - len(in_scope),
        "same_decisions": sum(decided(a) == decided(b) for a, b in pairs),
        "same_ranked_lists": sum(ranked(a) == ranked(b) for a, b in pairs),
        "messages": len(says),
    }


def per_message_times(
    route: Callable[[str], Any],
    says: list[str],
    passes: int,
    summary: Callable[[list[float]], float],
) -> list[float]:
    """Each message's time (seconds) over `passes` warm passes, summarized (mean or median)."""
    per_message = []
    for _ in range(passes):
        for say in says:
            started = time.perf_counter()
            route(say)
            per_message.append(time.perf_counter() - started)
    return [summary(per_message[i :: len(says)]) for i in range(len(says))]


def measure_recognizer(
    kb: KnowledgeBase, cases: list[dict[str, Any]], replies: Replies, passes: int
) -> dict[str, Any]:
    """The whole recognizer (lexical + BM25 + embeddings, fused and decided): what `route`
    costs a message, and the development set's accuracy with it."""
    says = [c["say"] for c in cases]
    embedding = StaticEmbedding.load()
    started = time.perf_counter()
    recognizer = HybridRouter(kb, embedding, FusionModel.load())
    build = time.perf_counter() - started
    decisions = [recognizer.route(s) for s in says]
    warm = per_message_times(recognizer.route, says, passes, statistics.median)
    ok = [passed(c, d, replies) for c, d in zip(cases, decisions, strict=True)]
    return {
        "recognizer_build_s": build,
        "recognizer_us_p50": statistics.median(warm) * 1e6,
        "recognizer_us_p90": sorted(warm)[int(0.9 * (len(warm) - 1))] * 1e6,
        "recognizer_right": sum(ok),
    }


def run(factors: list[int], dev: Path = DEV_SET) -> list[dict[str, Any]]:
    kb = load_knowledge()
    cases = dev_cases(dev)
    rows = []
    for factor in factors:
        row = {"factor": factor, **measure(grow(kb, factor), cases)}
        rows.append(row)
        print(format_row(row), flush=True)
    return rows


def format_row(row: dict[str, Any]) -> str:
    return (
        f"{row['factor']:>4}x KB: {row['topics']:>6} topics {row['phrases']:>7} phrases | "
        f"{row['us_per_message']:7.0f} µs/message (p90 {row['us_p90']:.0f}, first pass "
        f"{row['us_cold']:.0f}) | dev in-scope {row['in_scope']}/{row['in_scope_total']} "
        f"out-of-scope {row['out_of_scope']}/{row['out_of_scope_total']} | as unpruned: "
        f"decisions {row['same_decisions']}/{row['messages']}, lists "
        f"{row['same_ranked_lists']}/{row['messages']} | build {row['build_s']:.1f} s\n"
        f"      recognizer (fused): {row['recognizer_us_p50']:7.0f} µs/message p50 "
        f"(p90 {row['recognizer_us_p90']:.0f}) | dev right {row['recognizer_right']}/"
        f"{row['messages']} | build {row['recognizer_build_s']:.1f} s"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--dev", type=Path, default=DEV_SET)
    parser.add_argument("--json", type=Path, help="write the rows here as JSON")
    args = parser.parse_args(argv)
    rows = run(args.factors, args.dev)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
