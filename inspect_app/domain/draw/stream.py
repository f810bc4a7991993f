"""The randomness of the 双随机 draw: a stream anyone can re-implement from this page.

Python's ``random`` module promises only that ``random()`` repeats across versions; the
algorithms behind ``sample``, ``shuffle`` and ``randrange`` may change between releases,
and a published draw must be re-runnable years later on any machine. So the draw uses its
own generator, built on SHA-256 alone and specified completely here:

``key``
    SHA-256 of the parts ``"careinspect-draw/1"``, the purpose parts (for example
    ``"targets", "high"``) and the seed, each part written as its UTF-8 length in 4 bytes
    big-endian followed by its UTF-8 bytes.
block ``c`` (``c`` = 0, 1, 2, …)
    SHA-256 of ``key`` followed by ``c`` in 8 bytes big-endian.
words
    each block read as four unsigned 64-bit big-endian integers, block after block.
``below(n)``
    the first word ``w`` with ``w < 2**64 - 2**64 % n``, reduced ``w % n``. Rejecting the
    top remainder makes every value in ``[0, n)`` exactly equally likely.
``sample(items, k)``
    partial Fisher–Yates from the front: for ``i`` in ``0 … k-1`` swap item ``i`` with item
    ``i + below(len - i)``; the first ``k`` items are the sample (every k-subset equally
    likely).
``shuffle(items)``
    Fisher–Yates from the back: for ``i`` from ``len-1`` down to ``1`` swap item ``i`` with
    item ``below(i + 1)``.

Nothing here depends on time, on the process, on ``PYTHONHASHSEED`` or on the Python version.
"""
from __future__ import annotations

import hashlib
import struct
from collections.abc import MutableSequence, Sequence
from typing import TypeVar

T = TypeVar("T")

STREAM_VERSION = "careinspect-draw/1"
_WORD_RANGE = 1 << 64
_BLOCKS_PER_REFILL = 64          # how many blocks are hashed at a time; does not change the words
_four_words = struct.Struct(">4Q").unpack


def _part(text: str) -> bytes:
    data = text.encode("utf-8")
    return len(data).to_bytes(4, "big") + data


class SeededStream:
    """A deterministic stream of uniform integers derived from a seed and a purpose.

    Separate purposes give independent streams, so that (for example) the draw in one risk
    class does not change when another class's ratio changes.
    """

    __slots__ = ("_key", "_block", "_words", "_next")

    def __init__(self, seed: str, *purpose: str):
        material = b"".join(_part(part) for part in (STREAM_VERSION, *purpose, seed))
        self._key = hashlib.sha256(material).digest()
        self._block = 0
        self._words: list[int] = []
        self._next = 0

    def word(self) -> int:
        """The next 64-bit word of the stream."""
        if self._next == len(self._words):
            self._refill()
        word = self._words[self._next]
        self._next += 1
        return word

    def _refill(self) -> None:
        key, first = self._key, self._block
        words: list[int] = []
        for block in range(first, first + _BLOCKS_PER_REFILL):
            words.extend(_four_words(hashlib.sha256(key + block.to_bytes(8, "big")).digest()))
        self._block = first + _BLOCKS_PER_REFILL
        self._words, self._next = words, 0

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)``."""
        if not 0 < n <= _WORD_RANGE:
            raise ValueError(f"below() needs 0 < n <= 2**64, got {n}")
        limit = _WORD_RANGE - _WORD_RANGE % n
        while True:
            if self._next == len(self._words):      # self.word(), inlined: this is the hot path
                self._refill()
            word = self._words[self._next]
            self._next += 1
            if word < limit:
                return word % n

    def sample(self, items: Sequence[T], k: int) -> list[T]:
        """``k`` distinct items, every k-subset equally likely (in drawing order)."""
        pool = list(items)
        if not 0 <= k <= len(pool):
            raise ValueError(f"cannot sample {k} of {len(pool)} items")
        for i in range(k):
            j = i + self.below(len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]

    def shuffle(self, items: MutableSequence[T]) -> None:
        """Put ``items`` in a uniformly random order, in place."""
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]
