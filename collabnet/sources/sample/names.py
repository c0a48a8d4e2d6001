"""Invented author names and work titles, from the word lists of the vocabulary.

An author is a number (pool * 100,000 + slot, the pool being an institution or, for authors
without one, a country); its name is a fixed hash (splitmix64) of that number and the seed,
drawn from the name pool of its country's language group (8 % from another group: mobile
researchers). Titles join words of the title lists; one in twenty has an ``&``.
"""

from __future__ import annotations

import numpy as np

from collabnet.sources.sample.inputs import _AUTHOR_SLOTS, _ID_PREFIX, _OA
from collabnet.sources.sample.world import _World

_M64 = 0xFFFFFFFFFFFFFFFF


def _splitmix(x: int) -> int:
    """A fixed 64-bit integer hash (splitmix64); used for stable name choices."""
    z = (x + 0x9E3779B97F4A7C15) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


class _Names:
    """Author and title maker for one run of the generator over a seed's world.

    Examples
    --------
    >>> from collabnet.sources.sample.world import _world
    >>> names = _Names(_world(1), seed=1)
    >>> a = names.author(5)
    >>> a["id"], a is names.author(5)
    ('https://openalex.org/A900000000005', True)
    >>> len(names.titles(np.arange(10).reshape(2, 5)))
    2
    """

    def __init__(self, world: _World, seed: int):
        voc = world.voc
        self.ins = world.institutions
        self.seed = seed
        self.title = voc["title"]
        self.names = voc["names"]
        self.group_of = [voc["countries"][c]["names"] for c in world.countries]
        self.group_keys = sorted(self.names)
        self.author_cache: dict[int, dict] = {}

    def author(self, number: int) -> dict:
        """The author with this number; name from the name group of its pool's country."""
        a = self.author_cache.get(number)
        if a is None:
            if len(self.author_cache) > 200_000:
                self.author_cache.clear()
            pool = number // _AUTHOR_SLOTS
            ins = self.ins
            ci = ins.inst_country_list[pool] if pool < ins.n_inst else pool - ins.n_inst
            h = _splitmix((number * 1_000_003 + self.seed) & _M64)
            group = self.group_of[ci] if ci >= 0 else self.group_keys[h % len(self.group_keys)]
            if (h >> 56) % 100 < 8:  # mobile researchers: a name from another group
                group = self.group_keys[(h >> 48) % len(self.group_keys)]
            pool = self.names[group]
            given = pool["given"][h % len(pool["given"])]
            family = pool["family"][(h >> 16) % len(pool["family"])]
            if (h >> 32) % 4 == 0:
                given = f"{given} {chr(65 + (h >> 36) % 26)}."
            a = {"id": f"{_OA}A{_ID_PREFIX + number}", "display_name": f"{given} {family}",
                 "orcid": None}
            self.author_cache[number] = a
        return a

    def titles(self, tw: np.ndarray) -> list[str]:
        """Synthetic titles; one in twenty joins two topics with '&'."""
        t = self.title
        adj, noun, topic, ctx = t["adj"], t["noun"], t["topic"], t["context"]
        out = []
        for a, b, c, d, e in tw.tolist():
            tp = topic[c % len(topic)]
            if e % 20 == 0:
                tp = f"{tp} & {topic[(c + 7) % len(topic)]}"
            out.append(f"{adj[a % len(adj)]} {noun[b % len(noun)]} of {tp}: {ctx[d % len(ctx)]}")
        return out

