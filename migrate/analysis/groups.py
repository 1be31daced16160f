"""Connected groups: items joined, directly or through others, by pairs (union-find)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

T = TypeVar("T", bound=Hashable)


def connected(items: Iterable[T], pairs: Iterable[tuple[T, T]]) -> list[list[T]]:
    """The groups `pairs` make of `items`, each in the order of `items`, ordered by their first
    member. Every item of a pair must be among `items`."""
    order = list(items)
    parent = {item: item for item in order}

    def find(item: T) -> T:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for a, b in pairs:
        parent[find(b)] = find(a)
    groups: dict[T, list[T]] = {}
    for item in order:
        groups.setdefault(find(item), []).append(item)
    return list(groups.values())
