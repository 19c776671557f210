"""Join codes: random, typed by people, stored only as hashes; and the limit on guessing them."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import deque

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
"""No 0/o, 1/l/i: codes are read aloud and typed from a slide."""
LENGTH = 12
"""31**12 is about 2**59: out of reach of guessing at the rate :class:`Limiter` allows."""


def new_code() -> str:
    """A fresh code, grouped for reading: ``k3fq-9xwa-m2tc``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def digest(code: str) -> str:
    """The stored form of a code: sha256 of it without spaces, dashes or case."""
    norm = "".join(ch for ch in code.lower() if ch not in " -\t")
    return hashlib.sha256(norm.encode()).hexdigest()


class Limiter:
    """Wrong codes per remote address: after ``limit`` within ``window`` seconds, that address
    is refused (even with a right code, or guessing would go on) until the oldest ages out."""

    def __init__(self, limit: int = 5, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, remote: str, now: float) -> deque[float]:
        q = self._failures.setdefault(remote, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked_for(self, remote: str) -> float:
        """Seconds until ``remote`` may try again (0: it may now)."""
        now = time.monotonic()
        q = self._recent(remote, now)
        if len(q) < self.limit:
            if not q:
                self._failures.pop(remote, None)  # keep the table small
            return 0.0
        return max(0.0, self.window - (now - q[0]))

    def failed(self, remote: str) -> None:
        """Count a wrong code from ``remote``."""
        self._recent(remote, time.monotonic()).append(time.monotonic())
