"""Builds bot/core/data/wordllama-l2-256.bin, the static embedding table ArchBot routes with.

The table is WordLlama 0.4.0.post1's `l2_supercat_256` token embeddings (32,000 × 256, MIT
licence), quantized to int8 with one float32 scale per row, plus the exact tokenization of
~75,000 English and domain words, so that ArchBot needs neither the `wordllama` package nor its
tokenizer, numpy or model-hub dependencies at run time (bench/README.md, "Static embeddings").
A word the table does not list is cut into pieces greedily (longest piece first).

Run once, with the build tools in a scratch virtualenv (never at install time):
    python -m venv /tmp/wl && /tmp/wl/bin/pip install wordllama==0.4.0.post1
    apt-get install wamerican   # /usr/share/dict/american-english
    /tmp/wl/bin/python scripts/embeddings/distill_wordllama.py
"""

from __future__ import annotations

import gzip
import json
import re
import struct
import sys
from pathlib import Path

import numpy as np
import wordllama
from wordllama import WordLlama

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bot" / "core" / "data" / "wordllama-l2-256.bin"
DICTIONARY = Path("/usr/share/dict/american-english")
GUIDE = ROOT.parent / "shared" / "seed" / "ai-architecture-design.md"
MAGIC = b"ARCHBOT-STATIC-EMBEDDINGS-1\n"
_WORD = re.compile(r"[0-9a-z]+")


def words() -> list[str]:
    """The words whose exact tokenization is stored: a dictionary's, the guide's and the KB's."""
    found: set[str] = set()
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        if line.isalpha() and line.isascii() and line.islower():
            found.add(line)
    for source in [GUIDE, *sorted((ROOT / "knowledge").rglob("*.yaml"))]:
        if source.is_file():
            found.update(_WORD.findall(source.read_text(encoding="utf-8").lower()))
    return sorted(w for w in found if 2 <= len(w) <= 24)


def main() -> None:
    model = WordLlama.load(
        cache_dir=Path(wordllama.__file__).parent, disable_download=True, trunc_dim=256
    )
    tokenizer = model.tokenizer
    matrix = np.asarray(model.embedding, dtype=np.float32)
    scale = np.abs(matrix).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    quantized = np.clip(np.rint(matrix / scale[:, None]), -127, 127).astype(np.int8)
    pieces = [tokenizer.id_to_token(i) for i in range(matrix.shape[0])]
    table = {}
    for word in words():
        ids = tokenizer.encode(word, add_special_tokens=False).ids
        table[word] = ids
    header = {
        "source": "wordllama 0.4.0.post1 l2_supercat_256",
        "rows": int(matrix.shape[0]),
        "dims": int(matrix.shape[1]),
        "pieces": pieces,
        "words": table,
    }
    meta = gzip.compress(json.dumps(header, separators=(",", ":")).encode("utf-8"), mtime=0)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("wb") as out:
        out.write(MAGIC)
        out.write(struct.pack("<I", len(meta)))
        out.write(meta)
        out.write(scale.astype("<f4").tobytes())
        out.write(quantized.tobytes())
    size = OUT.stat().st_size / 1e6
    print(f"{OUT}: {len(table)} words, {matrix.shape}, {size:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
