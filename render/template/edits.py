"""The opcodes of `difflib.SequenceMatcher(None, old, new, autojunk=False)`,
which `Drafter.carry` reads to move a text's sentence spans onto its rewrite.
Most rewrites change one span (a habit's opener or tail, a name said in
plain words): the text's common prefix and suffix, kept, around the changed
middle. Where the matcher is certain to align the text that way (checked
below, without its quadratic search in Python) the opcodes are written from
the prefix and suffix; otherwise the matcher runs (tests/test_edits.py
compares the two on many texts built to defeat the shortcut)."""

from __future__ import annotations

from difflib import SequenceMatcher


def opcodes(old: str, new: str) -> list[tuple[str, int, int, int, int]]:
    """`SequenceMatcher(None, old, new, autojunk=False).get_opcodes()`."""
    blocks = _one_span(old, new)
    if blocks is None:
        return SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    # difflib's get_opcodes over the matching blocks (the last, (len(old), len(new), 0), a sentinel)
    out = []
    i = j = 0
    for ai, bj, size in blocks:
        tag = "replace" if i < ai and j < bj else "delete" if i < ai else "insert" if j < bj else ""
        if tag:
            out.append((tag, i, ai, j, bj))
        i, j = ai + size, bj + size
        if size:
            out.append(("equal", ai, i, bj, j))
    return out


def _common_prefix(a: str, b: str, most: int) -> int:
    """The length of the common start of `a` and `b`, at most `most` (a binary search of slice comparisons)."""
    lo, hi = 0, most
    while lo < hi:
        mid = (lo + hi + 1) >> 1
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, most: int) -> int:
    lo, hi = 0, most
    la, lb = len(a), len(b)
    while lo < hi:
        mid = (lo + hi + 1) >> 1
        if a[la - mid:] == b[lb - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _none_in(a: str, lo: int, hi: int, k: int, b: str) -> bool:
    """Whether no `k` characters of `a` starting at lo..hi-1 are found in `b`."""
    for i in range(lo, hi):
        if a[i:i + k] in b:
            return False
    return True


def _one_span(old: str, new: str) -> list[tuple[int, int, int]] | None:
    """The matcher's matching blocks (`get_matching_blocks`) where they are
    a common prefix P (p characters) and suffix S (s characters) and, between
    them, the matcher's own blocks of the changed middle: `old` = P X S, `new`
    = P Y S; None where that is not certain. P is taken as long as it goes
    and then S, or (a text's words put in or left out, where the two may
    overlap: "have 10 reps" -> "have reps") S as long as it goes and then P."""
    if old == new:
        return None
    lo, ln = len(old), len(new)
    m = min(lo, ln)
    p = _common_prefix(old, new, m)
    s = _common_suffix(old, new, m - p)
    out = _blocks(old, new, p, s)
    if out is None and p + s == m:
        s = _common_suffix(old, new, m)
        p = _common_prefix(old, new, m - s)
        out = _blocks(old, new, p, s)
    return out


def _blocks(old: str, new: str, p: int, s: int) -> list[tuple[int, int, int]] | None:
    """The matching blocks for `old` = P X S and `new` = P Y S (P the first p
    characters, S the last s), or None where the matcher may find others.

    The matcher takes the longest common block (the earliest in `old`, then
    in `new`), then does the same left and right of it. Say p >= s: it takes
    P when no p+1 characters are common; right of P, S when no s characters
    of X S before S are found in Y S and S is found there first at its end;
    between the two, X and Y are matched alone. For s > p the same with S
    first: S when no s characters of `old` before S are found in `new` and
    S is found there first at its end; left of it, P when no p+1 characters
    are common to P X and P Y. X and Y: their own blocks, shifted (their
    first and last characters differ, so none joins P or S)."""
    lo, ln = len(old), len(new)
    if p >= s:
        if p and not _none_in(old, 0, lo - p, p + 1, new):
            return None
        if s:
            right = new[p:]
            if not _none_in(old, p, lo - s, s, right) or right.find(old[lo - s:]) != ln - s - p:
                return None
    else:
        if not _none_in(old, 0, lo - s, s, new) or new.find(old[lo - s:]) != ln - s:
            return None
        if p and not _none_in(old, 0, lo - s - p, p + 1, new[:ln - s]):
            return None
    out = []
    if p:
        out.append((0, 0, p))
    x, y = old[p:lo - s], new[p:ln - s]
    if x and y and not set(x).isdisjoint(y):
        out.extend((p + i, p + j, k) for i, j, k in
                   SequenceMatcher(None, x, y, autojunk=False).get_matching_blocks()[:-1])
    if s:
        out.append((lo - s, ln - s, s))
    out.append((lo, ln, 0))
    return out
