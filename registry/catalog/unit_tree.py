"""The unit tree held by each process between changes: subtrees and rollups without a query per request.

At 100,000 entries the tree has tens of thousands of units (communes and their organisations), and
loading every link for each facet count cost more than the counting itself. The tree is read once per
process and read again only when the ``units`` data version moves.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa

from registry.catalog.models import Unit
from registry.extensions import db
from registry.platform.data_version import UNITS, cached


@dataclass(frozen=True)
class UnitTree:
    """Each unit's (parent, successor), and the units directly below or merged into each unit."""

    links: dict[int, tuple[int | None, int | None]]
    below: dict[int, tuple[int, ...]]
    # Rollups already walked, by (unit, top): a broad search counts thousands of units on every request.
    _rollups: dict[tuple[int, int | None], int | None] = field(default_factory=dict, compare=False, repr=False)
    # Every unit's root at once (index: unit id, -1: none), for the broad searches that touch thousands of units.
    _roots: list[np.ndarray] = field(default_factory=list, compare=False, repr=False)

    def descendants(self, unit_id: int) -> list[int]:
        """The unit, its sub-units at any depth and the units merged into them (empty for no such unit)."""
        if unit_id not in self.links:
            return []
        found = {unit_id}
        todo = [unit_id]
        while todo:
            for child in self.below.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return sorted(found)

    def rollup_node(self, unit_id: int, top: int | None) -> int | None:
        """The unit one level below ``top`` (a root when None) on the way up from ``unit_id``."""
        key = (unit_id, top)
        try:
            return self._rollups[key]
        except KeyError:
            pass
        node = self._walk_up(unit_id, top)
        if len(self._rollups) > 4 * len(self.links) + 1000:
            self._rollups.clear()
        self._rollups[key] = node
        return node

    def roots(self) -> np.ndarray:
        """``rollup_node(unit, None)`` of every unit id up to the last unit's, -1 for none (an id no unit has
        is its own root, as ``rollup_node`` has it)."""
        if not self._roots:
            size = max(self.links, default=0) + 1
            roots = np.arange(size, dtype=np.int64)
            for unit_id in self.links:
                root = self.rollup_node(unit_id, None)
                roots[unit_id] = -1 if root is None else root
            self._roots[:] = [roots]
        return self._roots[0]

    def _walk_up(self, unit_id: int, top: int | None) -> int | None:
        chain = [unit_id]
        while len(chain) < 64:
            parent, successor = self.links.get(chain[-1], (None, None))
            # A merged root (a former province) continues into the unit that absorbed it.
            step = parent if parent is not None else successor
            if step is None or step in chain:
                break
            chain.append(step)
        if top is None:
            return chain[-1]
        if top in chain:
            i = chain.index(top)
            return chain[i - 1] if i > 0 else None
        # A former unit merged into a child of ``top`` counts toward that child.
        for node in chain:
            if self.links.get(node, (None, None))[1] == top:
                return node
        return None


def load_unit_tree() -> UnitTree:
    """Read the whole tree's links in one query."""
    links: dict[int, tuple[int | None, int | None]] = {}
    below: dict[int, list[int]] = {}
    for unit_id, parent_id, successor_id in db.session.execute(sa.select(Unit.id, Unit.parent_id, Unit.successor_id)):
        links[unit_id] = (parent_id, successor_id)
        for upper in {parent_id, successor_id} - {None}:
            below.setdefault(upper, []).append(unit_id)
    return UnitTree(links=links, below={k: tuple(v) for k, v in below.items()})


def unit_tree() -> UnitTree:
    """This process's copy of the tree, current as of this request."""
    return cached("unit-tree", load_unit_tree, counter=UNITS)
