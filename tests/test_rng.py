"""`rng.seeded(n)` (the C seeding called directly) is `random.Random(n)`:
the same state and the same draws for many keys, and `rng.stream` the
stream of its key's hash as it was."""

from __future__ import annotations

import hashlib
import random

from corpusc.plan import rng


def test_seeded_is_random_random_of_the_int():
    gen = random.Random(40)
    for k in range(3000):
        n = gen.getrandbits(gen.choice([1, 31, 32, 33, 64, 128, 200])) if k else 0
        a, b = rng.seeded(n), random.Random(n)
        assert type(a) is random.Random and a.getstate() == b.getstate(), n
        assert [a.random() for _ in range(5)] == [b.random() for _ in range(5)]
        assert a.gauss(0, 1) == b.gauss(0, 1) and a.gauss(0, 1) == b.gauss(0, 1)  # gauss_next set alike


def test_stream_is_the_random_of_its_keys_hash():
    for k in range(500):
        key = ("render", f"call-{k}", "é" * (k % 3))
        h = hashlib.sha256("\x1f".join([str(k), *key]).encode("utf-8")).digest()
        want = random.Random(int.from_bytes(h[:16], "big"))
        assert rng.stream(k, *key).getstate() == want.getstate()
        assert rng.streams(k, *key[:-1])(key[-1]).getstate() == want.getstate()
