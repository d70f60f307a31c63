"""Trace formats, generators, address mapping and input errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archgym.errors import ConfigError, InvalidDesign, TraceError, UnknownName
from archgym.simulators.dram import DRAMSimulator, Trace, generate_trace, load_trace, save_trace
from archgym.simulators.dram.mapping import AddressMapping
from archgym.simulators.dram.memspec import load_memspec


@pytest.mark.parametrize("fmt", ["stl", "dramsim3", "ramulator"])
def test_formats_round_trip(tmp_path, fmt):
    tr = generate_trace("random", 300, seed=9, read_ratio=0.5, interval=3)
    path = tmp_path / f"t.{fmt}"
    save_trace(tr, path, fmt)
    back = load_trace(path)
    assert np.array_equal(back.addresses, tr.addresses)
    assert np.array_equal(back.is_write, tr.is_write)
    expect = np.arange(300) if fmt == "ramulator" else tr.cycles
    assert np.array_equal(back.cycles, expect)


def test_stl_with_data_field_and_comments(tmp_path):
    p = tmp_path / "a.stl"
    p.write_text("# header\n0:\tread\t0x40\n\n5:\twrite\t0x80\t0xdeadbeef\n")
    tr = load_trace(p)
    assert tr.cycles.tolist() == [0, 5]
    assert tr.addresses.tolist() == [0x40, 0x80]
    assert tr.is_write.tolist() == [False, True]


def test_known_format_samples(tmp_path):
    (tmp_path / "d.trace").write_text("0x1000 READ 3\n0x2040 WRITE 9\n")
    (tmp_path / "r.trace").write_text("LD 0x1000\nST 0x2040\n")
    d, r = load_trace(tmp_path / "d.trace"), load_trace(tmp_path / "r.trace")
    assert d.cycles.tolist() == [3, 9] and d.addresses.tolist() == [0x1000, 0x2040]
    assert r.cycles.tolist() == [0, 1] and r.is_write.tolist() == [False, True]


@pytest.mark.parametrize("text,line", [
    ("0:\tread\t0x40\n1:\treed\t0x80\n", 2),
    ("0x40 READ 1\n0x80 READ\n", 2),
    ("LD 0x40\n\nLD 0x80\nXX 0x1\n", 4),
    ("5:\tread\t0x40\n3:\tread\t0x80\n", 2),
])
def test_malformed_line_names_file_and_line(tmp_path, text, line):
    p = tmp_path / "bad.trace"
    p.write_text(text)
    with pytest.raises(TraceError, match=rf"bad\.trace:{line}:"):
        load_trace(p)


def test_capacity_check_and_wrap():
    sim = DRAMSimulator()
    tr = Trace(np.array([0]), np.array([sim.capacity_bytes + 64]), np.array([False]))
    with pytest.raises(TraceError, match="beyond the memory capacity"):
        sim.run(tr)
    s = sim.run(tr, wrap_addresses=True)
    assert s.requests_completed == 1
    assert sim.capacity_bytes == 8 * 2**30


def test_generators_are_deterministic_and_shaped():
    a = generate_trace("cloud", 2000, seed=3)
    b = generate_trace("cloud", 2000, seed=3)
    assert np.array_equal(a.addresses, b.addresses)
    s = generate_trace("stream", 10, start_address=640)
    assert s.addresses.tolist() == [640 + 64 * i for i in range(10)]
    d = generate_trace("strided", 4, stride=4096, interval=5)
    assert d.addresses.tolist() == [0, 4096, 8192, 12288] and d.cycles.tolist() == [0, 5, 10, 15]
    w = generate_trace("random", 10_000, seed=1, read_ratio=0.7)
    assert 0.27 < w.is_write.mean() < 0.33
    # cloud: sequential phases of 50-300 consecutive lines, first phase sequential
    assert np.all(np.diff(a.addresses[:50]) == 64)
    with pytest.raises(UnknownName):
        generate_trace("zigzag", 10)
    with pytest.raises(TraceError, match="read_ratio"):
        generate_trace("random", 10, read_ratio=1.5)


@settings(max_examples=30, deadline=None)
@given(st.permutations(["Ro", "Ch", "Ra", "Ba", "Bg", "Co"]), st.integers(0, 2**33 // 64 - 1))
def test_any_mapping_permutation_decodes_and_encodes(order, line):
    spec = load_memspec("DDR4-3200-8Gb-x8")
    m = AddressMapping.parse("".join(order), spec, 1)
    fields = m.decode(np.array([line * 64]))
    assert m.encode(**{k: int(v[0]) for k, v in fields.items()}) == line * 64


@pytest.mark.parametrize("bad", ["RoRoRaBaBgCo", "RoChRaBaBg", "XxChRaBaBgCo", 42])
def test_bad_mapping_string(bad):
    with pytest.raises(ConfigError, match="address_mapping"):
        DRAMSimulator(address_mapping=bad)


def test_mapping_changes_bank_parallelism():
    tr = generate_trace("stream", 5000)
    col_low = DRAMSimulator(address_mapping="RoChRaBaBgCo").run(tr)
    bg_low = DRAMSimulator(address_mapping="RoChRaBaCoBg").run(tr)
    assert bg_low.bandwidth_gbps > 1.5 * col_low.bandwidth_gbps


@pytest.mark.parametrize("design,param", [
    ({"page_policy": "Opne"}, "page_policy"),
    ({"request_buffer_size": 0}, "request_buffer_size"),
    ({"max_active_transactions": 129}, "max_active_transactions"),
    ({"schedular": "Fifo"}, "schedular"),
])
def test_invalid_design_names_the_knob(design, param):
    with pytest.raises(InvalidDesign) as err:
        DRAMSimulator().run(generate_trace("stream", 5), design)
    assert err.value.parameter == param and param in str(err.value)


def test_unknown_memspec_suggests():
    with pytest.raises(UnknownName, match="DDR4-3200-8Gb-x8"):
        DRAMSimulator("DDR4-3200-8Gb-x4")
