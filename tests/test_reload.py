"""The knowledge watcher, one poll at a time: it reloads an edit once the files have settled,
keeps the last good knowledge base on a bad edit (and does not retry it until it changes), and
survives a build that fails for any other reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.kb import KnowledgeBase
from bot.hosting.reload import KnowledgeWatcher, fingerprint

from .paths import FIXTURE_KB


class Served:
    """What the watcher swapped in last, and how often it built."""

    def __init__(self) -> None:
        self.kb: KnowledgeBase | None = None
        self.builds = 0
        self.fail = False

    def build(self, kb: KnowledgeBase) -> KnowledgeBase:
        self.builds += 1
        if self.fail:
            raise RuntimeError("index build failed")
        return kb

    def swap(self, kb: KnowledgeBase) -> None:
        self.kb = kb


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Served, KnowledgeWatcher[KnowledgeBase]]:
    root = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KB, root)
    served = Served()
    return root, served, KnowledgeWatcher(root, served.build, served.swap, fingerprint(root))


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "topics" / "sample.yaml"
    path.write_text(path.read_text().replace(old, new))


async def test_an_edit_is_loaded_once_it_has_settled(setup):
    root, served, watcher = setup
    assert not await watcher.poll()  # nothing changed
    _edit(root, "title: Prompt flow", "title: Prompt flow (edited)")
    assert not await watcher.poll()  # changed since the last look: maybe still being written
    assert await watcher.poll()
    assert served.kb.topics["prompt-flow"].title == "Prompt flow (edited)"
    assert watcher.status.as_json()["version"] == 2
    assert not await watcher.poll()  # loaded: nothing more to do


async def test_a_bad_edit_keeps_the_last_good_one_and_is_not_retried(setup, caplog):
    root, served, watcher = setup
    _edit(root, "kind: service", "kind: gadget")
    await watcher.poll()
    assert not await watcher.poll()
    status = watcher.status.as_json()
    assert (status["version"], status["reload"]) == (1, "failed")
    assert "knowledge/topics/sample.yaml:25: topic 'speech-service': kind must be one of" in (
        "\n".join(status["errors"])
    )
    logged = {r.getMessage() for r in caplog.records}
    assert set(status["errors"]) <= logged  # each problem a `file:line: message` log line
    assert served.kb is None and served.builds == 0  # invalid: nothing built, nothing swapped
    assert not await watcher.poll()  # the same broken files are not read again

    _edit(root, "kind: gadget", "kind: service")
    await watcher.poll()
    assert await watcher.poll()
    assert watcher.status.as_json() | {"loadedAt": ""} == {
        "version": 2,
        "loadedAt": "",
        "reload": "ok",
        "errors": [],
        "failedAt": None,
    }


async def test_a_build_that_fails_keeps_serving_and_says_why(setup):
    root, served, watcher = setup
    served.fail = True
    _edit(root, "title: Prompt flow", "title: Prompt flow (edited)")
    await watcher.poll()
    assert not await watcher.poll()
    assert watcher.status.errors == (
        "knowledge:0: reload failed: RuntimeError('index build failed')",
    )
    assert served.kb is None
