"""Rows are read and checked a block at a time, column by column; blocks must give exactly what reading the
whole file row by row through the csv module gives, wherever a block ends."""

import csv
import io
import random

import pytest

from pamong_edx.roster import read_roster, sources
from pamong_edx.roster import seen as seen_module
from pamong_edx.roster.seen import FirstSeen, text_keys
from roster_samples import HEADER, good, write_csv


@pytest.mark.parametrize("text", [
    "a,b,c\n1,2,3\n",
    "a,b,c\r\n1,2,3\r\n",
    "a,b,c\r1,2,3\r",
    "a,b,c\n1,2,3",             # no line break at the end
    "a,,c\n,,\n",
    "a;b\nc;d\n",
    "a\tb\n\tc\n",
])
def test_plain_lines_split_as_the_csv_module_reads_them(text):
    delimiter = ";" if ";" in text else "\t" if "\t" in text else ","
    lines = io.StringIO(text, newline="").readlines()
    columns = sources.split_plain(lines, delimiter)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert columns is not None and [list(r) for r in zip(*columns)] == rows


@pytest.mark.parametrize("text", [
    'a,"b,c"\n',                # quoted
    "a,b\n\nc,d\n",             # a blank line (the csv module reads [])
    "a,b\nc,d,e\n",             # rows of different widths
    "a," + "x" * 200_000 + "\n",  # a field over the csv module's limit
])
def test_anything_else_goes_through_the_csv_module(text):
    assert sources.split_plain(io.StringIO(text, newline="").readlines(), ",") is None


def test_a_quoted_line_break_across_a_block_boundary(tmp_path, regions, monkeypatch):
    rows = [good(nik=f"18710155088{i:05d}", email=f"p{i}@desa.id") for i in range(1, 200)]
    rows[57] = good(nik="1871015508859999", email="q@desa.id", nama="Siti\nRahayu, S.Pd")
    path = write_csv(tmp_path / "r.csv", rows)
    whole = [(c.row, c.status, c.record.nama) for c in read_roster(path, regions)]
    for block_chars in (64, 512, 1000, 4096):
        monkeypatch.setattr(sources, "BLOCK_CHARS", block_chars)
        assert [(c.row, c.status, c.record.nama) for c in read_roster(path, regions)] == whole
    assert whole[57] == (59, "ok", "Siti Rahayu, S.Pd") and whole[58][0] == 60 and len(whole) == 199


def test_split_blocks_and_csv_blocks_check_alike(make_roster, regions, monkeypatch):
    path = make_roster(rows=3000, seed=11, messy=0.3)
    fast = [(c.row, c.status, c.record, [d.text() for d in c.diagnostics]) for c in read_roster(path, regions)]
    monkeypatch.setattr(sources, "split_plain", lambda lines, delimiter: None)
    slow = [(c.row, c.status, c.record, [d.text() for d in c.diagnostics]) for c in read_roster(path, regions)]
    assert fast == slow and len(fast) == 3000


def test_blocks_and_rows_agree(make_roster, regions):
    path = make_roster(rows=2000, seed=7, province="18", messy=0.05)
    rows = list(read_roster(path, regions))
    with read_roster(path, regions) as roster:
        blocks = list(roster.blocks())
    assert sum(len(b) for b in blocks) == len(rows) and len(blocks) > 3
    flattened = [c for b in blocks for c in b.checked_rows()]
    assert [(c.row, c.status, c.record) for c in flattened] == [(c.row, c.status, c.record) for c in rows]


@pytest.mark.parametrize("expected", [0, 2049], ids=["dict-then-arrays", "arrays-that-grow"])
def test_the_duplicate_index_keeps_every_row_as_it_grows(expected, monkeypatch):
    monkeypatch.setattr(seen_module, "SMALL", 2048)  # a small dict, then arrays: sized for 2049 rows, they must grow
    SMALL = seen_module.SMALL
    seen = FirstSeen(expected)
    rng = random.Random(3)
    keys = text_keys(f"{rng.getrandbits(40):x}@desa.id" for _ in range(3 * SMALL))
    ends = [min(i + 500, 2 * SMALL) for i in range(0, 2 * SMALL, 500)]
    blocks = [(keys[i:end], range(2 + i, 2 + end)) for i, end in zip(range(0, 2 * SMALL, 500), ends)]
    assert all(seen.first_rows(k, r) == [] for k, r in blocks)  # past SMALL, and past the first table size
    again = seen.first_rows(keys[2 * SMALL - 10:2 * SMALL + 10] + keys[:3], range(10**6, 10**6 + 23))
    assert again == [(10**6 + i, 2 * SMALL - 8 + i) for i in range(10)] + [(10**6 + 20 + i, 2 + i) for i in range(3)]
    assert len(seen) == 2 * SMALL + 10 and seen._bits > 12  # the arrays grew past their first size
    assert seen.first_rows([keys[5], keys[5]], [7, 8]) == [(7, 7), (8, 7)]  # twice in one block, seen before


def test_a_header_only_roster_has_no_rows(tmp_path, regions):
    path = write_csv(tmp_path / "kosong.csv", [], header=HEADER)
    assert list(read_roster(path, regions)) == []
