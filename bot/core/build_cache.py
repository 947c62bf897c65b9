"""A cache of what the recognizers build from the knowledge base, so a fresh process (`archbot
ask`, `archbot chat`, a server start) does not parse the YAML and index every phrase again.

`load_recognizer(root, embedding, fusion, cache_dir)` returns the knowledge base, its
`HybridRouter`, the `Conversation` that reads messages with it and the walkthrough's `Advisor`:

* the key is a digest of every file under the knowledge folder (names and bytes), of the
  source of bot/core (the code that reads the knowledge and builds the indexes), of the
  embedding table file and of the libraries whose output is stored (PyYAML, the stemmers,
  SimSIMD, rapidfuzz: their files' size and modification time, as Python's own bytecode cache
  checks a source), and of the Python version;
* a cache file with that key holds them, pickled (the embedding table and the fusion model are
  not stored: the live ones passed in are used; a conversation reader that pickle cannot store
  is left out and built as always);
* otherwise — no file, another key, anything unreadable, truncated or corrupt (the payload
  carries its own digest) — the knowledge is loaded as always (`load_knowledge`: validated,
  every problem reported as `file:line`), the rest built, and the cache file written anew:
  to a temporary file, then renamed over the old one, so a reader never sees half a file;
* a knowledge base that does not load is never cached (its errors are raised as always), and
  one that changed while it was being loaded is not cached either.

Any failure to read or write the cache only costs the build it would have saved. The cache
lives in var/cache/ (git-ignored; `ARCHBOT_CACHE_DIR` moves it, `ARCHBOT_CACHE_DIR=off` turns it
off; bot/operations/config.py): one file per knowledge folder, at most `_KEEP` files. A cache
file may only name bot/core's classes and plain containers, and the folder is as trusted as the
source tree beside it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import io
import logging
import os
import pickle
import sys
import tempfile
import types
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.core.advisor import Advisor
from bot.core.compare import Comparer
from bot.core.context import Conversation
from bot.core.embedding import TABLE, StaticEmbedding
from bot.core.hybrid import FusionModel, HybridRouter
from bot.core.kb import KnowledgeBase

log = logging.getLogger(__name__)

FORMAT = b"ARCHBOT-RECOGNIZER-CACHE-1\n"
_CODE_DIR = Path(__file__).resolve().parent
_LIBRARIES = ("yaml", "snowballstemmer", "Stemmer", "simsimd", "rapidfuzz")
"""Libraries whose results the cache stores: parsed YAML, stems, vectors, fuzzy-match tables."""
_DIGEST = 32
_KEEP = 8
"""Cache files kept (one per knowledge folder; the least recently written go first)."""
_EMBEDDING, _FUSION = "embedding", "fusion"
_OWN_MODULES = "bot.core."
_TRUSTED_NAMES = {
    "builtins": {"bytearray", "bytes", "dict", "frozenset", "list", "range", "set", "slice"},
    "collections": {"Counter", "OrderedDict", "defaultdict", "deque"},
    "array": {"array", "_array_reconstructor"},
    "copyreg": {"_reconstructor"},
}
"""What a cache file may name besides the classes and functions bot/core defines."""


@dataclass(frozen=True)
class Built:
    """A knowledge base and what is built from it once, before any turn."""

    kb: KnowledgeBase
    router: HybridRouter
    advisor: Advisor | None
    """The walkthrough's (None: the knowledge base has no walkthrough)."""
    conversation: Conversation | None = None
    """Reads messages in the context of the conversation's focus, with `router` (None: build
    it)."""


def load_recognizer(
    root: Path,
    embedding: StaticEmbedding,
    fusion: FusionModel,
    cache_dir: Path | None,
    table: Path = TABLE,
) -> Built:
    """The knowledge base in `root`, the router over it (with `embedding`, read from `table`,
    and `fusion`) and its advisor: from the cache when they were built from the same files by
    the same code, else loaded, built and cached. Raises `KnowledgeError` as `load_knowledge`
    does."""
    if cache_dir is None:
        return _build(root, embedding, fusion)
    try:
        key = cache_key(root, table)
    except OSError:  # an unreadable file: the load reports it
        return _build(root, embedding, fusion)
    path = cache_dir / f"{hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]}.pickle"
    found = _read(path, key, embedding, fusion)
    if found is not None:
        return found
    built = _build(root, embedding, fusion)
    try:
        unchanged = cache_key(root, table) == key
    except OSError:
        unchanged = False
    if unchanged:  # else an edit landed during the load: the next process caches it
        _write(path, key, built, embedding, fusion)
    return built


def cache_key(root: Path, table: Path = TABLE) -> bytes:
    """The digest a cache file must carry to be used for the knowledge folder `root`."""
    digest = hashlib.sha256(FORMAT)
    digest.update(sys.version.encode())
    for label, base in (("knowledge", root), ("code", _CODE_DIR)):
        files = sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        if base == _CODE_DIR:
            files = [p for p in files if p.suffix == ".py"]
        for path in files:
            content = path.read_bytes()
            name = path.relative_to(base).as_posix().encode()
            digest.update(b"%s\0%s\0%d\0" % (label.encode(), name, len(content)))
            digest.update(content)
    for label, path in (("table", table), *((n, _origin(n)) for n in _LIBRARIES)):
        stat = path.stat() if path is not None else None
        found = (str(path), stat.st_size, stat.st_mtime_ns) if stat else None
        digest.update(f"{label}\0{found}\0".encode())
    return digest.digest()


def _origin(module: str) -> Path | None:
    """The file a top-level module is loaded from (without importing it)."""
    spec = importlib.util.find_spec(module)
    return Path(spec.origin) if spec is not None and spec.origin else None


def _build(root: Path, embedding: StaticEmbedding, fusion: FusionModel) -> Built:
    from bot.core.loader import load_knowledge  # YAML and validation: only when building

    kb = load_knowledge(root)
    router = HybridRouter(kb, embedding, fusion)
    advisor = Advisor(kb) if kb.walkthrough is not None else None
    return Built(kb, router, advisor, Conversation(kb, router, Comparer(kb, router.lexical)))


def _read(path: Path, key: bytes, embedding: StaticEmbedding, fusion: FusionModel) -> Built | None:
    """What the cache file holds, or None when it is missing, stale or unusable in any way."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(FORMAT)
    if data[:head] != FORMAT or data[head : head + _DIGEST] != key:
        return None
    payload = memoryview(data)[head + 2 * _DIGEST :]
    if hashlib.sha256(payload).digest() != data[head + _DIGEST : head + 2 * _DIGEST]:
        log.warning("%s: corrupt recognizer cache, rebuilding it", path)
        return None
    try:
        return _load(payload, embedding, fusion)
    except Exception as error:  # written by other code, or damaged: rebuilt
        log.warning("%s: unreadable recognizer cache (%s), rebuilding it", path, error)
        return None


def _load(payload: bytes | memoryview, embedding: StaticEmbedding, fusion: FusionModel) -> Built:
    unpickler = _Unpickler(io.BytesIO(payload), embedding, fusion)
    built, conversation = unpickler.load(), unpickler.load()
    if not isinstance(built, Built) or not isinstance(conversation, Conversation | None):
        raise pickle.UnpicklingError("not a recognizer cache")
    return replace(built, conversation=conversation)


def _write(
    path: Path,
    key: bytes,
    built: Built,
    embedding: StaticEmbedding,
    fusion: FusionModel,
) -> None:
    """Store what was built under `key`, atomically; never raises. Without the conversation
    reader when it cannot be stored, not at all when the rest cannot."""
    payload = _payload(built, embedding, fusion)
    if payload is None and built.conversation is not None:
        payload = _payload(replace(built, conversation=None), embedding, fusion)
    if payload is None:
        return
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp", delete=False
        ) as file:
            temporary = Path(file.name)
            file.write(FORMAT + key + hashlib.sha256(payload).digest())
            file.write(payload)
        os.replace(temporary, path)
        temporary = None
        _prune(path.parent)
    except OSError as error:  # a read-only or full disk: the next process builds again
        log.warning("recognizer not cached in %s: %s", path.parent, error)
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def _payload(built: Built, embedding: StaticEmbedding, fusion: FusionModel) -> bytes | None:
    """Two pickles, one memo: the knowledge base, router and advisor; then the conversation
    reader. Read back before it is written: None (and a warning) when pickle cannot store it or
    the reader would refuse it."""
    buffer = io.BytesIO()
    pickler = _Pickler(buffer, embedding, fusion)
    try:
        pickler.dump(replace(built, conversation=None))
        pickler.dump(built.conversation)
        _load(buffer.getbuffer(), embedding, fusion)
    except Exception as error:
        part = "recognizer" if built.conversation is None else "conversation reader"
        log.warning("%s not cached: %s", part, error)
        return None
    return buffer.getvalue()


def _prune(folder: Path) -> None:
    """Keep the `_KEEP` most recently written cache files."""
    files = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in files[_KEEP:]:
        old.unlink(missing_ok=True)


# -- pickling what was built ------------------------------------------------------------------
# The embedding table and the fusion model are referred to, not stored. What pickle cannot store
# or would store by naming `getattr` is stored as how to make it again: a method wrapped in
# `lru_cache` (an empty cache of the same size, as the constructor made it), a bound method
# and a memoryview (its bytes, format and shape). A class or function is named only if bot/core
# defines it or it is a plain container: anything else fails the write, or the read.


def _lru(owner: Any, method: str, maxsize: int | None, typed: bool) -> Any:
    return functools.lru_cache(maxsize=maxsize, typed=typed)(_method(owner, method))


def _method(owner: Any, name: str) -> Any:
    if name.startswith("__") or not type(owner).__module__.startswith(_OWN_MODULES):
        raise pickle.UnpicklingError(f"{type(owner).__name__}.{name}: not a bot/core method")
    return getattr(owner, name)


def _memoryview(data: bytes, format: str, shape: tuple[int, ...]) -> memoryview:
    return memoryview(data).cast(format, shape=list(shape))


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, embedding: StaticEmbedding, fusion: FusionModel):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._shared = {id(embedding): _EMBEDDING, id(fusion): _FUSION}

    def persistent_id(self, obj: Any) -> str | None:
        return self._shared.get(id(obj))

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, functools._lru_cache_wrapper):
            method = getattr(obj, "__wrapped__", None)
            if isinstance(method, types.MethodType):
                parameters = obj.cache_parameters()
                owner, name = method.__self__, method.__func__.__name__
                return _lru, (owner, name, parameters["maxsize"], parameters["typed"])
        elif isinstance(obj, types.MethodType):
            return _method, (obj.__self__, obj.__func__.__name__)
        elif isinstance(obj, memoryview):
            return _memoryview, (obj.tobytes(), obj.format, obj.shape)
        if isinstance(obj, _BY_NAME):
            module, name = getattr(obj, "__module__", None) or "", obj.__qualname__
            if not _trusted(module, name, obj):  # the reader would refuse it: fail now
                raise pickle.PicklingError(f"{module}.{name} is not stored in a cache")
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, embedding: StaticEmbedding, fusion: FusionModel):
        super().__init__(file)
        self._shared = {_EMBEDDING: embedding, _FUSION: fusion}

    def persistent_load(self, pid: Any) -> Any:
        return self._shared[pid]

    def find_class(self, module: str, name: str) -> Any:
        found = super().find_class(module, name) if _may_name(module, name) else None
        if found is None or not _trusted(module, name, found):
            raise pickle.UnpicklingError(f"{module}.{name} is not stored in a recognizer cache")
        return found


def _may_name(module: str, name: str) -> bool:
    """Whether a cache file may name this at all (checked before anything is imported)."""
    return module.startswith(_OWN_MODULES) or name in _TRUSTED_NAMES.get(module, ())


_BY_NAME = (
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
    functools._lru_cache_wrapper,
)
"""What pickle stores by naming it: checked when writing as `find_class` checks it when reading."""


def _trusted(module: str, name: str, obj: Any) -> bool:
    """A plain container, or a class or function (cached or not) that the bot/core module named
    defines."""
    if name in _TRUSTED_NAMES.get(module, ()):
        return True
    return (
        module.startswith(_OWN_MODULES)
        and isinstance(obj, type | types.FunctionType | functools._lru_cache_wrapper)
        and getattr(obj, "__module__", None) == module
    )
