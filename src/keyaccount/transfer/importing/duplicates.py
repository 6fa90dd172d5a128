"""Likely duplicates among thousands of new customers at once, set-based."""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable

from keyaccount.customers import rules


def _tokens(text: str) -> list[tuple[str, int]]:
    seen: Counter[str] = Counter()
    out = []
    for ch in text:
        out.append((ch, seen[ch]))
        seen[ch] += 1
    return out


class DuplicateIndex:
    """``rules.find_duplicates`` for thousands of names at once.

    Exact matches come from dictionaries; similar names from a prefix filter on characters:
    two core names can only reach the similarity threshold (0.75, so at least 60 % of the
    longer name's characters in common) if the rarest ``n - ceil(0.6 n) + 1`` characters of
    each share one. The lists of names by character are kept per place (江苏…, 浙江…, none),
    since names of two different places are never duplicates; the candidates whose length or
    characters in common already rule them out are dropped; the few left are checked by
    ``rules.find_duplicates`` itself, so the answers are those of the registration page.
    """

    OVERLAP = 0.6

    def __init__(self, candidates: Iterable[rules.Candidate], *, order: Iterable[str] = ()):
        """``order``: more core names whose characters count for "rare" (names that will be
        ``add``-ed later); the order must not change once the index holds names."""
        self.by_id: dict[int, rules.Candidate] = {}
        # each name's characters as the bits of an int (an ``&`` and a ``bit_count`` tell how
        # many two names share, far faster than intersecting sets), and its length
        self.bits: dict[tuple[str, int], int] = {}
        self.masks: dict[int, int] = {}
        self.lengths: dict[int, int] = {}
        self.by_code: dict[str, list[int]] = defaultdict(list)
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.by_core: dict[str, list[int]] = defaultdict(list)
        self.places: dict[int, str] = {}
        # (place, character) → ids, and character → ids of every place
        self.by_place: dict[tuple[str, tuple[str, int]], list[int]] = defaultdict(list)
        self.postings: dict[tuple[str, int], list[int]] = defaultdict(list)
        self.freq: Counter[tuple[str, int]] = Counter()
        everyone = list(candidates)
        for c in everyone:
            self.freq.update(_tokens(c.core_key))
        for core in order:
            self.freq.update(_tokens(core))
        for c in everyone:
            self.add(c)

    def _prefix(self, core: str) -> list[tuple[str, int]]:
        tokens = _tokens(core)
        n = len(tokens)
        if not n:
            return []
        keep = n - math.ceil(self.OVERLAP * n) + 1
        return sorted(tokens, key=lambda t: (self.freq.get(t, 0), t))[:keep]

    def _mask(self, core: str) -> int:
        mask = 0
        for token in _tokens(core):
            bit = self.bits.get(token)
            if bit is None:
                bit = self.bits[token] = 1 << len(self.bits)
            mask |= bit
        return mask

    def add(self, c: rules.Candidate) -> None:
        self.by_id[c.id] = c
        place = rules.place_of(c.name_key, c.core_key)
        self.places[c.id] = place
        self.masks[c.id] = self._mask(c.core_key)
        self.lengths[c.id] = len(c.core_key)
        if c.credit_code:
            self.by_code[c.credit_code].append(c.id)
        if c.name_key:
            self.by_name[c.name_key].append(c.id)
        if c.core_key:
            self.by_core[c.core_key].append(c.id)
            for token in self._prefix(c.core_key):
                self.postings[token].append(c.id)
                self.by_place[(place, token)].append(c.id)

    def find(self, *, credit_code: str, name: str, limit: int = 10) -> list[rules.DuplicateMatch]:
        code = rules.normalize_credit_code(credit_code)
        nkey, ckey = rules.name_key(name), rules.core_key(name)
        ids: set[int] = set()
        if code:
            ids.update(self.by_code.get(code, ()))
        if nkey:
            ids.update(self.by_name.get(nkey, ()))
        if ckey:
            place = rules.place_of(nkey, ckey)
            similar: set[int] = set()
            for token in self._prefix(ckey):
                if place:  # rules.places_compatible: the same place, or none
                    similar.update(self.by_place.get((place, token), ()))
                    similar.update(self.by_place.get(("", token), ()))
                else:
                    similar.update(self.postings.get(token, ()))
            mine = self._mask(ckey)
            size = len(ckey)
            threshold = rules.SIMILAR_THRESHOLD
            masks, lengths = self.masks, self.lengths
            # Upper bounds of the similarity (length, then characters in common): below the
            # threshold neither the ratio nor the containment rule can reach it. The length
            # bound, 2·min(n, m) ≥ t·(n + m), as a range of m.
            # (a hair wider than exact, for the rounding of the division)
            shortest = size * threshold / (2 - threshold) - 1e-9
            longest = size * (2 - threshold) / threshold + 1e-9
            for i in similar - ids:
                common = (mine & masks[i]).bit_count()
                if shortest <= lengths[i] <= longest and 2 * common >= threshold * (
                    size + lengths[i]
                ):
                    ids.add(i)
            for i in self.by_core.get(ckey, ()):
                if rules.places_compatible(place, self.places[i]):
                    ids.add(i)
        candidates = [self.by_id[i] for i in sorted(ids)]
        return rules.find_duplicates(
            credit_code=code, name=name, candidates=candidates, limit=limit
        )
