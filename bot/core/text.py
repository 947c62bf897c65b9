"""Message normalization: the first step of routing, shared by messages and KB phrases."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from bot.core.kb import Vocabulary

_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]{1,200}>")
_APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")
_WORD = re.compile(r"[0-9a-z]+")
_EMPHASIS = re.compile(r"(?<![\w*~])(\*{1,3}|_{1,3}|~~)(?=[^\s*_~])(.+?)(?<=[^\s*_~])\1(?![\w*~])")
"""Markdown emphasis typed around words ("when *would* it fit?", "**not** for images")."""
_STEMMER = snowballstemmer.stemmer("english")


def strip_mentions(text: str) -> str:
    """Remove Teams `<at>…</at>` mentions and any other markup, leaving the words around them."""
    text = _MENTION.sub(" ", text)
    text = _TAG.sub(" ", text)
    return " ".join(html.unescape(text).split())


def without_emphasis(text: str) -> str:
    """The text without the Markdown emphasis typed around its words (`*`, `**`, `_`, `~~`);
    markers inside a word ("AUC_weighted", "2*3") stay."""
    if "*" not in text and "_" not in text and "~" not in text:
        return text
    return _EMPHASIS.sub(lambda match: match.group(2), text)


_NORMALIZED_CACHE = 8192
"""Normalized texts kept per normalizer: every phrase of the knowledge base, and recent messages."""


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The English stem of one lowercase word."""
    return _STEMMER.stemWord(word)


@dataclass(frozen=True)
class NormalizedText:
    """A text reduced to what routing compares."""

    words: tuple[str, ...]
    """Every word, lowercased, abbreviations expanded, synonyms applied."""
    terms: tuple[str, ...]
    """Stemmed content words, in order: the words without stopwords, or all words if only
    stopwords were said ("what can you do")."""

    @property
    def text(self) -> str:
        """The words joined by single spaces."""
        return " ".join(self.words)


class Normalizer:
    """Lowercases, strips mentions, punctuation and emoji, expands abbreviations, stems."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._stopwords = vocabulary.stopwords
        self._synonyms = vocabulary.synonyms
        self._expansions = {
            tuple(self._raw_words(short)): tuple(self._raw_words(long))
            for short, long in vocabulary.abbreviations.items()
        }
        self._longest_expansion = max((len(k) for k in self._expansions), default=0)
        self._expansion_starts = {k[0] for k in self._expansions if k}  # other words stay
        # the same phrase or message is normalized by several indexes at start-up and by
        # several readers in a turn
        self._normalized = lru_cache(maxsize=_NORMALIZED_CACHE)(self._normalize)

    @staticmethod
    def _raw_words(text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text).lower()
        text = _APOSTROPHE.sub("", text)
        return _WORD.findall(text)

    def _expand(self, words: list[str]) -> list[str]:
        if self._expansion_starts.isdisjoint(words):
            return words
        expanded: list[str] = []
        i = 0
        while i < len(words):
            found = self._expansion_at(words, i) if words[i] in self._expansion_starts else None
            if found is None:
                expanded.append(words[i])
                i += 1
            else:
                size, replacement = found
                expanded.extend(replacement)
                i += size
        return expanded

    def _expansion_at(self, words: list[str], i: int) -> tuple[int, tuple[str, ...]] | None:
        """The longest abbreviation starting at `words[i]`: its length and expansion."""
        for size in range(min(self._longest_expansion, len(words) - i), 0, -1):
            replacement = self._expansions.get(tuple(words[i : i + size]))
            if replacement is not None:
                return size, replacement
        return None

    def normalize(self, text: str) -> NormalizedText:
        """Normalize one message or phrase."""
        return self._normalized(text)

    def says_nothing(self, text: str) -> bool:
        """Whether the text is stopwords only ("what does it do"): it asks nothing of its own."""
        return all(w in self._stopwords for w in self.normalize(text).words)

    def _normalize(self, text: str) -> NormalizedText:
        words = self._expand(self._raw_words(strip_mentions(text)))
        words = [self._synonyms.get(w, w) for w in words]
        content = [w for w in words if w not in self._stopwords] or words
        return NormalizedText(tuple(words), tuple(stem(w) for w in content))


LEAD_IN = (
    r"^(?:(?:and|but|so|ok|okay|k|hmm|then|also|lol|haha|oh|ah|sorry|btw|cool|thanks|right|hey|hi|yo"
    r"|unrelated|random|separately|tangent)\b[\s,]*)*"
)
"""Words a message can start with before what it says ("so", "ok", "btw", "unrelated but")."""
_QUESTION_START = re.compile(
    LEAD_IN + r"(what|whats|how|hows|why|which|who|whos|when|where|wheres|is|are|does|do|can|"
    r"could|should|would|"
    r"will|was|did|wasnt|didnt|isnt|arent|doesnt|wouldnt|shouldnt|couldnt|wont|"
    r"tell me|explain|describe|compare|define|difference|any\b(?=.*\byou))\b"
)
"""A question's first words, after any leading "so" or "ok" ("so what data do I need?", "wasn't
synapseml called something else before", "any python ml libs you'd mention")."""
QUESTION_WORDS = frozenset({"what", "which", "how", "why", "when", "where", "who", "whether"})
"""Words that open a question of what, which, how … (not a yes-or-no one)."""
ASKING_WORDS = QUESTION_WORDS | frozenset(
    {"is", "are", "does", "do", "can", "could", "should", "would", "will"}
)
"""Words that ask something wherever they stand in a message (question words, auxiliaries)."""
_ASKED_LAST = re.compile(
    r",\s*(?:which|what)(?:\s+\w+)?(?:'s|\s+is|\s+was|\s+are|\s+were)\s+(?:that|this|it)\W*$"
)
"""A last clause asking what the rest is ("the unified storage thing, which one is that",
"legrand customer story, what was that"), not a relative clause ("text data, which is mostly
emails", "our CMS, which has a few developers behind it")."""
_ASIDE_DASH = re.compile(r"\s+[—–-]+\s+|:\s+")
"""Where a message's question can start after a lead-in ("back to the format thing — what …")."""


def looks_like_question(text: str) -> bool:
    """True for "what is X?", "tell me about Y", "back to the format thing — what do we gain",
    "the unified storage thing, which one is that": a message that asks rather than answers."""
    return (
        text.strip().endswith("?")
        or opens_with_question(text)
        or bool(_ASKED_LAST.search(text.lower()))
    )


_OWN_WORDS = frozenset({"we", "were", "weve", "wed", "our", "ours", "us", "i", "im", "ive", "my"})
_TOLD_WORDS = 6
"""A message telling of the asker's own situation has this many words at least."""


def says_question_word(text: str) -> bool:
    """True when a question word stands anywhere in the message ("what's", "whats", "which")."""
    return any(
        word in QUESTION_WORDS or (word.endswith("s") and word[:-1] in QUESTION_WORDS)
        for word in _WORD.findall(strip_mentions(text).lower())
    )


_CLAUSE_BREAK = re.compile(r"[.,;:!—–]+|\s-+\s")
"""Where a message's next clause starts ("fine. what's it good for")."""


def asks_nothing(text: str) -> bool:
    """True for a message with no question in it: no question mark, no clause opening as a
    question, no "which" ("cool, makes sense" and "that's exactly what i needed" ask nothing;
    "fine. what's it good for", "ok, is it in fabric too" and "part of which service" do)."""
    return (
        not looks_like_question(text)
        and "which" not in _WORD.findall(text.lower())  # "that's part of which service"
        and not any(opens_with_question(clause.strip()) for clause in _CLAUSE_BREAK.split(text))
    )


def tells_own_situation(text: str) -> bool:
    """True for a message that only tells of the asker's own situation ("we're a mid-size
    retailer, our support inbox gets 5k emails a day"): it speaks of us or me and asks nothing."""
    words = [w.replace("'", "") for w in re.findall(r"[a-z0-9']+", strip_mentions(text).lower())]
    return (
        len(words) >= _TOLD_WORDS
        and not _OWN_WORDS.isdisjoint(words)
        and not says_question_word(text)
        and not looks_like_question(text)
    )


def opens_with_question(text: str) -> bool:
    """True when the message, or a clause of it after a dash or colon, opens as a question
    ("which studio is for the ML path", "back to the ds folks — can they tune in parallel?"),
    not when a description only ends in one."""
    for part in _ASIDE_DASH.split(text):
        words = " ".join(re.sub(r"[^0-9a-z' ]+", " ", part.lower()).replace("'", "").split())
        if _QUESTION_START.match(words):
            return True
    return False
