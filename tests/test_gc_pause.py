"""gc_paused: the collector is off inside, back on after, with nothing left out of its reach."""

from __future__ import annotations

import gc
import weakref

from pamong_edx.gc_pause import gc_paused


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_the_collector_is_off_inside_and_back_on_after_with_what_survived_in_the_oldest_generation():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        kept = [Node() for _ in range(5000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # nothing kept out of the collector's reach
    assert gc.get_count()[0] < 700  # no pass over the survivors is due
    assert any(gc.is_tracked(node) for node in kept)


def test_a_cycle_dropped_in_or_before_a_pause_is_still_collected():
    before = Node()
    before.other = Node()
    before.other.other = before
    gone_before = weakref.ref(before)
    del before
    with gc_paused():
        during = Node()
        during.other = during
        gone_during = weakref.ref(during)
        del during
    gc.collect()
    assert gone_before() is None and gone_during() is None


def test_nested_pauses_leave_the_collector_to_the_outermost():
    with gc_paused():
        with gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
