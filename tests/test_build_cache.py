"""The recognizer build cache (bot/core/build_cache.py): the same knowledge base, router and
advisor with and without it; a changed knowledge file, a broken one, a corrupt or foreign cache
file are all noticed. No test reads the project's own var/cache/ or times anything."""

from __future__ import annotations

import io
import json
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core import build_cache
from bot.core.build_cache import FORMAT, Built, cache_key, load_recognizer
from bot.core.embedding import StaticEmbedding
from bot.core.hybrid import FusionModel, HybridRouter
from bot.core.loader import KnowledgeError, load_knowledge
from bot.core.router import Decision
from bot.operations import terminal_session
from bot.operations.config import DEFAULT_CACHE_DIR, Settings

from .paths import FIXTURE_KB, REPO_ROOT

REAL_KB = REPO_ROOT / "knowledge"
HELDOUT = REPO_ROOT / "tests" / "fixtures" / "heldout.yaml"
MESSAGES = [
    "how do I transcribe audio recordings",
    "what is RAG",
    "compare cosmos db and postgres",
    "hi",
    "aws sagemaker?",
    "ocr for invoices",
    "asdf qwer zxcv",
    "",
    "<at>ArchBot</at> help",
    "is azure openai or azure ai foundry better for a chat app",
]
FOLLOW_UPS = ["when should I not use it?", "how far does it scale?", "and for translation?"]


@pytest.fixture(scope="module")
def embedding() -> StaticEmbedding:
    return StaticEmbedding.load()


@pytest.fixture(scope="module")
def fusion() -> FusionModel:
    return FusionModel.load()


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The knowledge folders built (not read from the cache) during the test."""
    built: list[Path] = []
    build = build_cache._build

    def counting(root: Path, *args: Any) -> Built:
        built.append(root)
        return build(root, *args)

    monkeypatch.setattr(build_cache, "_build", counting)
    return built


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """A copy of the fixture knowledge base that a test may edit."""
    return Path(shutil.copytree(FIXTURE_KB, tmp_path / "knowledge"))


def _decision(decision: Decision) -> tuple[Any, ...]:
    return (decision.outcome, tuple((m.intent.id, m.score) for m in decision.matches))


def _messages(kb_built: Built) -> list[str]:
    cases = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["cases"]
    phrases = [p for intent in kb_built.router.intents for p in intent.phrases]
    return MESSAGES + [case["say"] for case in cases] + phrases[::7]


def _cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle"))


# -- the same with and without the cache --------------------------------------------------------


def test_cached_recognizer_decides_as_a_fresh_build(tmp_path, embedding, fusion, builds):
    first = load_recognizer(REAL_KB, embedding, fusion, tmp_path)
    cached = load_recognizer(REAL_KB, embedding, fusion, tmp_path)
    assert builds == [REAL_KB]  # the second came from the file
    fresh_kb = load_knowledge(REAL_KB)
    fresh = HybridRouter(fresh_kb, embedding, fusion)
    assert cached.kb == fresh_kb == first.kb
    assert cached.router.embedding is embedding and cached.router.model is fusion
    assert cached.conversation.router is cached.router and cached.conversation.kb is cached.kb
    for text in _messages(cached):
        assert _decision(cached.router.route(text)) == _decision(fresh.route(text)), text
        assert cached.router.named_topics(text) == fresh.named_topics(text), text
        assert cached.router.rank_among(text, ["azure-ai-speech"]) == fresh.rank_among(
            text, ["azure-ai-speech"]
        )


def test_a_cached_router_embeds_none_of_its_knowledges_words_again(tmp_path, fusion, builds):
    load_recognizer(REAL_KB, StaticEmbedding.load(), fusion, tmp_path)
    live = StaticEmbedding.load()  # a new process: nothing embedded yet
    cached = load_recognizer(REAL_KB, live, fusion, tmp_path)
    assert builds == [REAL_KB]
    words = cached.router.normalizer.normalize(cached.kb.topics["rag"].phrases[0]).words
    fresh = StaticEmbedding.load()
    assert list(live.vector(words)) == list(fresh.vector(words))
    assert live._word_sum.cache_info().misses == 0  # every word was kept from the build


def test_cached_advisor_reads_answers_as_a_fresh_one(tmp_path, embedding, fusion, builds):
    from bot.core.advisor import Advisor

    load_recognizer(REAL_KB, embedding, fusion, tmp_path)
    advisor = load_recognizer(REAL_KB, embedding, fusion, tmp_path).advisor
    assert len(builds) == 1 and advisor is not None
    fresh = Advisor(load_knowledge(REAL_KB))
    for question in fresh.walkthrough.questions:
        for choice in question.choices:
            for text in (choice.label, *choice.means, f"not {choice.label}"):
                assert advisor.read(text) == fresh.read(text), text
                assert advisor.match(question, text) == fresh.match(question, text), text


async def test_the_terminal_answers_the_same_from_the_cache(tmp_path, monkeypatch):
    """`archbot ask` and `archbot chat` build their runtime the way they always do: with the
    cache off, then with a cache folder (built and written), then again (read from the file)."""
    monkeypatch.setenv("ARCHBOT_STORAGE", f"sqlite:///{tmp_path / 'state.sqlite3'}")
    transcripts = []
    for cache in ("off", str(tmp_path / "cache"), str(tmp_path / "cache")):
        monkeypatch.setenv("ARCHBOT_CACHE_DIR", cache)
        out = io.StringIO()
        said = [*MESSAGES, "how do I transcribe audio recordings", *FOLLOW_UPS]
        assert await terminal_session.chat(io.StringIO("\n".join(said)), out) == 0
        transcripts.append(out.getvalue())
        out = io.StringIO()
        assert await terminal_session.ask(MESSAGES[0], True, out) == 0
        transcripts.append(json.loads(out.getvalue()))
    assert transcripts[2:4] == transcripts[4:6] == transcripts[0:2]
    assert "Azure AI Speech" in transcripts[1]["reply"]
    assert len(_cache_files(tmp_path / "cache")) == 1


# -- what makes the cache stale ------------------------------------------------------------------


def test_a_changed_knowledge_file_is_picked_up(knowledge, tmp_path, embedding, fusion, builds):
    cache = tmp_path / "cache"
    before = load_recognizer(knowledge, embedding, fusion, cache)
    topic = next(iter(before.kb.topics.values()))
    path = next((knowledge / "topics").glob("*.yaml"))
    text = path.read_text(encoding="utf-8")
    assert f"title: {topic.title}\n" in text
    path.write_text(text.replace(f"title: {topic.title}\n", "title: Zebra Quokka Service\n"))
    after = load_recognizer(knowledge, embedding, fusion, cache)
    assert builds == [knowledge, knowledge]
    assert after.kb.topics[topic.id].title == "Zebra Quokka Service"
    assert after.router.route("zebra quokka service").top.intent.id == topic.id
    assert load_recognizer(knowledge, embedding, fusion, cache).kb == after.kb
    assert len(builds) == 2  # and the new one is cached in its turn
    assert len(_cache_files(cache)) == 1  # one file per knowledge folder


def test_a_new_knowledge_file_is_picked_up(knowledge, tmp_path, embedding, fusion, builds):
    cache = tmp_path / "cache"
    load_recognizer(knowledge, embedding, fusion, cache)
    source = next((knowledge / "topics").glob("*.yaml"))
    extra = yaml.safe_load(source.read_text(encoding="utf-8"))["topics"][0]
    extra |= {"id": "zebra-quokka", "title": "Zebra Quokka", "phrases": ["zebra quokka"]}
    extra.pop("aliases", None)
    extra.pop("questions", None)
    extra.pop("related", None)
    extra.pop("compares", None)
    (knowledge / "topics" / "zz-extra.yaml").write_text(yaml.safe_dump({"topics": [extra]}))
    after = load_recognizer(knowledge, embedding, fusion, cache)
    assert len(builds) == 2 and "zebra-quokka" in after.kb.topics


def test_a_broken_knowledge_file_is_reported_with_its_line(
    knowledge, tmp_path, embedding, fusion, builds
):
    cache = tmp_path / "cache"
    good = load_recognizer(knowledge, embedding, fusion, cache)
    path = next((knowledge / "topics").glob("*.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as raised:
        load_recognizer(knowledge, embedding, fusion, cache)
    lines = len(text.splitlines())
    problem = raised.value.problems[0]
    assert problem.file.endswith(path.name) and problem.line > lines
    path.write_text(text, encoding="utf-8")  # fixed: the cached build is good again
    assert load_recognizer(knowledge, embedding, fusion, cache).kb == good.kb
    assert len(builds) == 2


def test_the_key_covers_the_knowledge_the_code_and_the_embedding_table(knowledge, tmp_path):
    key = cache_key(knowledge)
    assert cache_key(knowledge) == key
    (knowledge / "vocabulary.yaml").write_bytes(
        (knowledge / "vocabulary.yaml").read_bytes() + b"\n"
    )
    assert cache_key(knowledge) != key
    key = cache_key(knowledge)
    table = tmp_path / "table.bin"
    table.write_bytes(b"another table")
    assert cache_key(knowledge, table) != key


def test_an_edit_during_the_build_is_not_cached(
    knowledge, tmp_path, embedding, fusion, monkeypatch
):
    keys = iter([b"before" * 6, b"after!" * 6])
    monkeypatch.setattr(build_cache, "cache_key", lambda root, table: next(keys))
    load_recognizer(knowledge, embedding, fusion, tmp_path / "cache")
    assert _cache_files(tmp_path / "cache") == []


# -- a cache file that cannot be trusted is rebuilt ------------------------------------------


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: b"not a cache at all", id="garbage"),
        pytest.param(
            lambda data: data[:-1000] + bytes([data[-1000] ^ 0x55]) + data[-999:], id="flipped"
        ),
        pytest.param(
            lambda data: data[: len(FORMAT)] + bytes(32) + data[len(FORMAT) + 32 :], id="key"
        ),
    ],
)
def test_a_corrupt_cache_is_rebuilt(damage, knowledge, tmp_path, embedding, fusion, builds):
    cache = tmp_path / "cache"
    good = load_recognizer(knowledge, embedding, fusion, cache)
    (path,) = _cache_files(cache)
    path.write_bytes(damage(path.read_bytes()))
    rebuilt = load_recognizer(knowledge, embedding, fusion, cache)
    assert len(builds) == 2 and rebuilt.kb == good.kb
    assert load_recognizer(knowledge, embedding, fusion, cache).kb == good.kb
    assert len(builds) == 2  # the rebuilt file was written again, whole


def test_a_cache_naming_anything_else_is_not_loaded(knowledge, tmp_path, embedding, fusion, builds):
    """A cache file with the right key and digest whose pickle names something other than
    bot/core's classes and plain containers is refused (and rebuilt), not run."""
    import hashlib

    cache = tmp_path / "cache"
    load_recognizer(knowledge, embedding, fusion, cache)
    (path,) = _cache_files(cache)
    data = path.read_bytes()
    payload = pickle.dumps(shutil.rmtree)  # a function that must never be called from here
    head = data[: len(FORMAT) + 32]
    path.write_bytes(head + hashlib.sha256(payload).digest() + payload)
    assert load_recognizer(knowledge, embedding, fusion, cache).kb == load_knowledge(knowledge)
    assert len(builds) == 2


def test_a_conversation_reader_pickle_cannot_store_is_built_as_always(
    knowledge, tmp_path, embedding, fusion, builds, monkeypatch
):
    build = build_cache._build

    def with_a_closure(*args: Any) -> Built:
        built = build(*args)
        built.conversation.note = lambda: None  # a closure: pickle cannot store it
        return built

    monkeypatch.setattr(build_cache, "_build", with_a_closure)
    cache = tmp_path / "cache"
    load_recognizer(knowledge, embedding, fusion, cache)
    monkeypatch.setattr(build_cache, "_build", build)
    cached = load_recognizer(knowledge, embedding, fusion, cache)
    assert cached.conversation is None and cached.kb == load_knowledge(knowledge)
    assert len(builds) == 1  # the first load only: the rest came from the file


def test_what_would_not_read_back_is_not_written(
    knowledge, tmp_path, embedding, fusion, builds, monkeypatch
):
    """Each payload is read back before it is written: a conversation reader the reader would
    refuse (here: its topic passages) is left out, and the rest still cached."""
    find_class = build_cache._Unpickler.find_class

    def refusing(self: Any, module: str, name: str) -> Any:
        if name == "TopicPassages":
            raise pickle.UnpicklingError(name)
        return find_class(self, module, name)

    monkeypatch.setattr(build_cache._Unpickler, "find_class", refusing)
    cache = tmp_path / "cache"
    load_recognizer(knowledge, embedding, fusion, cache)
    monkeypatch.setattr(build_cache._Unpickler, "find_class", find_class)
    cached = load_recognizer(knowledge, embedding, fusion, cache)
    assert cached.conversation is None and len(builds) == 1


def test_bot_cores_cached_functions_are_stored_by_name(embedding, fusion):
    from bot.core import text

    buffer = io.BytesIO()
    build_cache._Pickler(buffer, embedding, fusion).dump({"stem": text.stem})
    read = build_cache._Unpickler(io.BytesIO(buffer.getvalue()), embedding, fusion).load()
    assert read["stem"] is text.stem


def test_an_unusable_cache_folder_only_costs_the_build(knowledge, tmp_path, embedding, fusion):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    built = load_recognizer(knowledge, embedding, fusion, blocked / "cache")
    assert built.kb == load_knowledge(knowledge)


def test_no_cache_folder_means_no_cache(knowledge, tmp_path, embedding, fusion, builds):
    load_recognizer(knowledge, embedding, fusion, None)
    load_recognizer(knowledge, embedding, fusion, None)
    assert len(builds) == 2


def test_old_cache_files_are_pruned(tmp_path, embedding, fusion):
    cache = tmp_path / "cache"
    for index in range(build_cache._KEEP + 3):
        folder = Path(shutil.copytree(FIXTURE_KB, tmp_path / f"knowledge-{index}"))
        load_recognizer(folder, embedding, fusion, cache)
    assert len(_cache_files(cache)) == build_cache._KEEP


def test_the_cache_folder_setting():
    assert Settings().cache_dir == DEFAULT_CACHE_DIR
    assert Settings.from_env({}).cache_dir == DEFAULT_CACHE_DIR
    assert Settings.from_env({"ARCHBOT_CACHE_DIR": "off"}).cache_dir is None
    assert Settings.from_env({"ARCHBOT_CACHE_DIR": "/x/y"}).cache_dir == Path("/x/y")
