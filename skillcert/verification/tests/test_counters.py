"""The shared-memory rate-limit counters: exact across processes, windows that end, a full table, restarts."""

import hashlib
import multiprocessing
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillcert.verification import _counting
from skillcert.verification.counters import PROBES, CounterKey, CountersBusy, SharedCounters

NOW = 1_750_000_000


def key(name: str, *, end: int = NOW + 60) -> CounterKey:
    return end, int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big")


def colliding_keys(count: int, *, slots: int, home: int = 0) -> list[CounterKey]:
    """Keys whose home slot is the same (``home``), so that they compete for one probe run."""
    found: list[CounterKey] = []
    index = 0
    while len(found) < count:
        candidate = key(f"client-{index}")
        if candidate[1] % slots == home:
            found.append(candidate)
        index += 1
    return found


def count_in_a_process(path: Path, counter: CounterKey, times: int) -> None:
    counters = SharedCounters(path=path, segments=4, slots=1 << 10)
    for _ in range(times):
        counters.count([(counter, 1)], now=NOW)
    counters.close()


def test_counts_from_several_processes_add_up_exactly(tmp_path):
    # given three worker processes counting the same key in one file
    path = tmp_path / "counters.bin"
    counter = key("10.0.0.1")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=count_in_a_process, args=(path, counter, 2000)) for _ in range(3)]

    # when each counts 2,000 times, at once
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    # then a fourth process reads exactly 6,000: no increment was lost
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    reader = SharedCounters(path=path, segments=4, slots=1 << 10)
    assert reader.count([(counter, 0)], now=NOW) == {counter: 6000}
    reader.close()


def test_two_counters_objects_in_one_process_share_counts_through_two_segments(tmp_path):
    # given two workers' counters over one file
    path = tmp_path / "counters.bin"
    first = SharedCounters(path=path, segments=2, slots=1 << 10)
    second = SharedCounters(path=path, segments=2, slots=1 << 10)
    counter = key("10.0.0.1")

    # when each adds to the same key
    first.count([(counter, 2)], now=NOW)
    counts = second.count([(counter, 3)], now=NOW)

    # then each sees the sum
    assert counts == {counter: 5}
    assert first.count([(counter, 0)], now=NOW) == {counter: 5}
    first.close()
    second.close()


def test_a_third_worker_finds_no_segment_and_fails_closed(tmp_path):
    # given room for two workers, both taken
    path = tmp_path / "counters.bin"
    taken = [SharedCounters(path=path, segments=2, slots=1 << 10) for _ in range(2)]
    for counters in taken:
        counters.count([], now=NOW)

    # when a third counts
    third = SharedCounters(path=path, segments=2, slots=1 << 10)

    # then it is refused, saying what to change
    with pytest.raises(CountersBusy, match="raise the number of segments"):
        third.count([(key("a"), 1)], now=NOW)

    # and once a worker stops, its segment and its counts pass to the next one
    taken[0].count([(key("a"), 4)], now=NOW)
    taken[0].close()
    assert third.count([(key("a"), 1)], now=NOW) == {key("a"): 5}
    third.close()
    taken[1].close()


def test_keys_whose_probe_run_wraps_past_the_segments_end_are_counted_by_both_workers(tmp_path):
    # given two workers, and eight keys at home in the last slot of a segment: seven of them must take
    # slots at the start of the segment, past its end
    path = tmp_path / "counters.bin"
    first = SharedCounters(path=path, segments=2, slots=1 << 10)
    second = SharedCounters(path=path, segments=2, slots=1 << 10)
    wrapping = colliding_keys(8, slots=1 << 10, home=(1 << 10) - 1)

    # when the first worker counts each key a different number of times and the second adds one to each
    for times, counter in enumerate(wrapping, start=1):
        first.count([(counter, times)], now=NOW)
    counts = second.count([(counter, 1) for counter in wrapping], now=NOW)

    # then each key's count is the sum of both workers', found wherever its slot is
    assert counts == {counter: times + 1 for times, counter in enumerate(wrapping, start=1)}
    first.close()
    second.close()


def test_a_table_with_no_never_used_slot_left_still_counts_exactly(tmp_path):
    # given a worker whose segment has had every slot used, in a window that has ended
    path = tmp_path / "counters.bin"
    first = SharedCounters(path=path, segments=2, slots=PROBES)
    second = SharedCounters(path=path, segments=2, slots=PROBES)
    for index in range(200):
        first.count([(key(f"old-{index}"), 1)], now=NOW)
    later = NOW + 60

    # when both count new keys in the next window, all at home in the segment's second-last slot (so that
    # all but the first lie further along their run, on both sides of the segment's end)
    fresh = [(later + 60, tag) for _, tag in colliding_keys(6, slots=PROBES, home=PROBES - 2)]
    for counter in fresh:
        first.count([(counter, 2)], now=later)
    counts = second.count([(counter, 1) for counter in fresh], now=later)

    # then the second finds each key in the first's segment, and a key nobody counted reads 0
    assert counts == dict.fromkeys(fresh, 3)
    absent = key("never-counted", end=later + 60)
    assert second.count([(absent, 0)], now=later) == {absent: 0}
    assert first.count([(absent, 0)], now=later) == {absent: 0}
    first.close()
    second.close()


def test_a_window_that_has_ended_frees_its_slot_and_a_new_window_starts_from_zero(tmp_path):
    # given a key counted in the window ending at NOW + 60, whose probe run is otherwise full
    counters = SharedCounters(path=tmp_path / "c.bin", segments=1, slots=PROBES)
    old = colliding_keys(PROBES, slots=PROBES)
    for counter in old:
        counters.count([(counter, 7)], now=NOW)

    # when the window has ended and a new key arrives
    fresh = key("next-minute", end=NOW + 120)
    counts = counters.count([(fresh, 1)], now=NOW + 60)

    # then it takes an expired slot and starts at its own count, not an old one
    assert counts == {fresh: 1}
    # and the same client in the next window counts from zero too
    next_window = (NOW + 120, old[0][1])
    assert counters.count([(next_window, 1)], now=NOW + 60) == {next_window: 1}
    counters.close()


def test_when_every_slot_is_live_the_smallest_count_gives_way_not_the_heavy_hitter(tmp_path):
    # given a table of 16 slots: one client near its limit, fifteen seen once
    counters = SharedCounters(path=tmp_path / "c.bin", segments=1, slots=PROBES)
    heavy, *light = colliding_keys(PROBES, slots=PROBES)
    counters.count([(heavy, 9)], now=NOW)
    for counter in light:
        counters.count([(counter, 1)], now=NOW)

    # when a flood of new keys arrives
    for index in range(100):
        counters.count([(key(f"flood-{index}"), 1)], now=NOW)

    # then the heavy counter survives with its count
    assert counters.count([(heavy, 1)], now=NOW) == {heavy: 10}
    counters.close()


def test_adding_zero_reads_the_count_and_takes_no_slot(tmp_path):
    # given a table of 16 slots holding sixteen clients seen once (two of them colliding at home)
    counters = SharedCounters(path=tmp_path / "c.bin", segments=1, slots=PROBES)
    seen = colliding_keys(2, slots=PROBES) + [key(f"seen-{index}") for index in range(PROBES - 2)]
    for counter in seen:
        counters.count([(counter, 1)], now=NOW)

    # when a hundred other clients' miss counters are read (a hit adds 0 to its client's misses)
    reads = [counters.count([(key(f"hit-{index}"), 0)], now=NOW) for index in range(100)]

    # then each reads 0, and every client seen before keeps its count: no slot was taken from them
    assert all(list(answer.values()) == [0] for answer in reads)
    assert {counter: counters.count([(counter, 0)], now=NOW)[counter] for counter in seen} == dict.fromkeys(
        seen, 1
    )
    counters.close()


def test_a_file_made_for_another_geometry_is_replaced_not_misread(tmp_path):
    # given a file with counts, made for 1,024 slots a segment
    path = tmp_path / "counters.bin"
    before = SharedCounters(path=path, segments=2, slots=1 << 10)
    before.count([(key("a"), 5)], now=NOW)
    before.close()

    # when the workers restart with 2,048 slots
    after = SharedCounters(path=path, segments=2, slots=1 << 11)

    # then counting starts afresh in a file of the new size
    assert after.count([(key("a"), 1)], now=NOW) == {key("a"): 1}
    assert path.stat().st_size == 64 + 2 * (1 << 11) * 16
    after.close()


def test_counts_survive_a_restart_of_every_worker(tmp_path):
    # given counts made before the server restarts
    path = tmp_path / "counters.bin"
    before = SharedCounters(path=path, segments=2, slots=1 << 10)
    before.count([(key("a"), 5)], now=NOW)
    before.close()

    # when a new worker counts
    after = SharedCounters(path=path, segments=2, slots=1 << 10)

    # then the count goes on: a restart does not reset anyone's limit
    assert after.count([(key("a"), 1)], now=NOW) == {key("a"): 6}
    after.close()


def test_a_tag_equal_to_another_slots_count_word_is_not_taken_for_that_slot(tmp_path):
    # given three counters in one run: D at home in slot 2, A in slot 3 whose count word is (END << 32 | 2),
    # and C in slot 4 whose tag's high half is END
    end = NOW + 60
    counters = SharedCounters(path=tmp_path / "c.bin", segments=1, slots=PROBES)
    d, a, c = (end, 999 << 32 | 2), (end, 12345 << 32 | 3), (end, end << 32 | 4)
    counters.count([(d, 1), (a, 2), (c, 1)], now=NOW)

    # when a key whose tag is those same 8 bytes, END << 32 | 2, at home in slot 2, is read and counted
    twin = (end, end << 32 | 2)
    read = counters.count([(twin, 0)], now=NOW)
    counted = counters.count([(twin, 1)], now=NOW)

    # then it is a new key of its own, and the others keep their counts
    assert read == {twin: 0}
    assert counted == {twin: 1}
    assert counters.count([(d, 0), (a, 0), (c, 0)], now=NOW) == {d: 1, a: 2, c: 1}
    counters.close()


def test_a_new_key_takes_a_slot_whose_window_has_ended_before_evicting_a_live_one(tmp_path):
    # given a run of sixteen keys at home in slot 0: the eighth in a window that ends at NOW, the seven
    # before it live with 5 each and the eight after it live with 2 each (the smallest counts)
    counters = SharedCounters(path=tmp_path / "c.bin", segments=1, slots=PROBES)
    *keys, fresh = colliding_keys(PROBES + 1, slots=PROBES)
    keys[7] = (NOW, keys[7][1])
    for index, counter in enumerate(keys):
        counters.count([(counter, 5 if index < 8 else 2)], now=NOW - 30)

    # when a new key at home in slot 0 arrives at NOW
    assert counters.count([(fresh, 1)], now=NOW) == {fresh: 1}

    # then every live key keeps its count: the ended slot was taken, not the smallest live one
    expected = {counter: 5 if index < 7 else 2 for index, counter in enumerate(keys) if index != 7}
    assert counters.count([(counter, 0) for counter in expected], now=NOW) == expected
    counters.close()


@pytest.mark.parametrize(
    ("ended", "smallest"),
    [(0, 15), (15, 0), (1, 14), (14, 1), (7, 8), (8, 7)],
    ids=lambda position: f"added-{position}",
)
def test_a_new_key_evicts_no_live_counter_while_its_run_has_an_ended_slot(tmp_path, ended, smallest):
    # given a full run of sixteen keys at home in slot 0, added one after another: the one added at
    # position `ended` in a window that ends at NOW, the one at `smallest` live with the smallest count
    # (1), the others live with counts from 2 up. Where each landed in the run is the table's business:
    # the pairs of positions cover the ended slot before and after the smallest live one.
    counters = SharedCounters(path=tmp_path / "c.bin", segments=1, slots=PROBES)
    *keys, fresh = colliding_keys(PROBES + 1, slots=PROBES)
    keys[ended] = (NOW, keys[ended][1])
    amounts = {
        index: 100 if index == ended else 1 if index == smallest else 2 + index for index in range(PROBES)
    }
    for index, counter in enumerate(keys):
        counters.count([(counter, amounts[index])], now=NOW - 30)

    # when a new key at home in slot 0 arrives at NOW
    assert counters.count([(fresh, 1)], now=NOW) == {fresh: 1}

    # then it took the ended slot: every live key keeps its count
    expected = {counter: amounts[index] for index, counter in enumerate(keys) if index != ended}
    assert counters.count([(counter, 0) for counter in expected], now=NOW) == expected
    counters.close()


# The loop over a request's counters is C (_counting.c): it must refuse whatever would read or write outside
# the mapping, and a malformed call must change no counter.


@pytest.fixture
def mapping():
    """A mapping of two 16-slot segments after the 8-word header, as SharedCounters lays them out."""
    return bytearray(8 * (8 + 2 * PROBES * 2))


@pytest.mark.parametrize(
    ("own", "others", "message"),
    [
        (2, (), "no such segment"),  # past the end of the mapping
        (-1, (), "no such segment"),
        (0, (2,), "no such segment"),
        (0, (-1,), "no such segment"),
        (0, (0,), "no such segment"),  # its own segment counted twice
    ],
)
def test_the_compiled_loop_refuses_a_segment_outside_the_mapping(mapping, own, others, message):
    with pytest.raises(ValueError, match=message):
        _counting.count(mapping, 8, PROBES * 2, own, others, [(key("a"), 1)], NOW)
    assert not any(mapping)


@pytest.mark.parametrize(
    ("first", "segment_words"),
    [(8, PROBES * 2 + 2), (8, PROBES), (8, 1 << 20), (1 << 20, PROBES * 2), (-1, PROBES * 2)],
    ids=[
        "not-a-power-of-two",
        "shorter-than-a-run",
        "longer-than-the-mapping",
        "header-too-long",
        "negative",
    ],
)
def test_the_compiled_loop_refuses_a_geometry_the_mapping_does_not_have(mapping, first, segment_words):
    with pytest.raises(ValueError):
        _counting.count(mapping, first, segment_words, 0, (), [(key("a"), 1)], NOW)
    assert not any(mapping)


def test_the_compiled_loop_refuses_a_read_only_mapping():
    with pytest.raises(BufferError, match="not writable"):
        _counting.count(bytes(8 * (8 + PROBES * 2)), 8, PROBES * 2, 0, (), [(key("a"), 1)], NOW)


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (((NOW, 0), 1), "never 0"),
        (((1 << 32, 7), 1), "window's end is out of range"),
        (((NOW, -7), 1), "tag must be an int"),
        (((NOW, 7), -1), "amount must be an int"),
        (((NOW, 7), 1 << 31), "amount is out of range"),
        (((NOW, 7, 8), 1), "an \\(end, tag\\) pair"),
        ((NOW, 7), "a counter key is"),
        ("text", "an increment is"),
    ],
)
def test_a_malformed_increment_changes_no_counter_not_even_the_ones_before_it(mapping, bad, error):
    # given a call whose last increment is malformed
    increments = [(key("a"), 1), (key("b"), 2), bad]

    # when it is counted, then it is refused, saying what is wrong
    with pytest.raises((TypeError, ValueError), match=error):
        _counting.count(mapping, 8, PROBES * 2, 0, (), increments, NOW)

    # and the well-formed increments before it were not counted either
    assert not any(mapping)


@settings(max_examples=200, deadline=None)
@given(
    calls=st.lists(
        st.tuples(
            st.sampled_from(["first", "second"]),
            st.lists(st.tuples(st.integers(0, 11), st.integers(0, 3)), max_size=8),
        ),
        max_size=30,
    )
)
def test_two_workers_counts_equal_the_sum_of_every_amount_added_to_each_key(calls):
    # given two workers over one file, and twelve keys, half of them at home in one slot (so that they share a
    # probe run, wrapping past the segment's end), never more than a run holds: nothing is evicted
    keys = colliding_keys(6, slots=PROBES, home=PROBES - 3) + [key(f"k-{index}") for index in range(6)]
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "counters.bin"
        workers = {name: SharedCounters(path=path, segments=2, slots=PROBES) for name in ("first", "second")}
        added = dict.fromkeys(keys, 0)
        try:
            for worker, increments in calls:
                # when a worker adds amounts (0 included) to some keys, a key possibly twice in one call
                counted = [(keys[index], amount) for index, amount in increments]
                totals = workers[worker].count(counted, now=NOW)
                for counter, amount in counted:
                    added[counter] += amount
                # then each total it answers is every amount added to that key so far, by either worker
                assert totals == {counter: added[counter] for counter, _ in counted}
            # and reading every key from either worker agrees
            for counters in workers.values():
                assert counters.count([(counter, 0) for counter in keys], now=NOW) == added
        finally:
            for counters in workers.values():
                counters.close()
