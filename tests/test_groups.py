"""migrate/analysis/groups.py: connected groups, against a plain graph search."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from migrate.analysis.groups import connected


def _search(items: list[int], pairs: list[tuple[int, int]]) -> set[frozenset[int]]:
    next_to = {item: set() for item in items}
    for a, b in pairs:
        next_to[a].add(b)
        next_to[b].add(a)
    groups, seen = set(), set()
    for item in items:
        if item in seen:
            continue
        group, todo = set(), [item]
        while todo:
            current = todo.pop()
            if current not in group:
                group.add(current)
                todo.extend(next_to[current])
        seen |= group
        groups.add(frozenset(group))
    return groups


@given(
    st.integers(0, 12).flatmap(
        lambda n: st.tuples(
            st.permutations(range(n)),
            st.lists(st.tuples(st.integers(0, max(n - 1, 0)), st.integers(0, max(n - 1, 0))), max_size=15 if n else 0),
        )
    )
)
def test_groups_are_the_connected_components_in_item_order(case) -> None:
    items, pairs = list(case[0]), case[1]
    groups = connected(items, pairs)
    assert {frozenset(g) for g in groups} == _search(items, pairs)
    assert groups == sorted(groups, key=lambda g: items.index(g[0]))
    assert all(g == sorted(g, key=items.index) for g in groups)
