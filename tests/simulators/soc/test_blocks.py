"""The block library: FARSI's figures, its rules, and the checks of user library files."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from archgym.errors import ConfigError
from archgym.simulators.soc import SoCSimulator, default_library, load_library
from archgym.simulators.soc.blocks import library_from_dict

SHIPPED = Path(default_library().source.split("'")[1])
DATA = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def test_shipped_library_holds_farsis_figures():
    lib = default_library()
    a53 = lib.cores["A53"]
    assert (a53.ipc, a53.clock_hz, a53.area_mm2) == (2, 1e9, 0.65)
    assert a53.energy_per_instruction_j == pytest.approx(1 / 47019607843, rel=1e-9)
    acc = lib.accelerator
    assert acc.clocks_mhz == (100, 400, 600, 800)
    assert (acc.energy_scale, acc.area_scale, acc.task_energy_unit_j) == (0.064, 0.0374, 1e-9)
    assert lib.widths_bytes == (4, 8, 16, 32, 64, 128)
    assert lib.bus_clocks_mhz == (100, 400, 600, 800)
    assert (lib.bus.area_mm2, lib.bus.energy_per_byte_j) == (0.0, 0.0)
    assert lib.memories["dram"].stacked and not lib.memories["sram"].stacked


@pytest.mark.parametrize(("loops", "levels"), [
    (1, (1,)),
    (151, (1, 2, 4, 8, 16, 32, 64, 128, 151)),
    (1024, tuple(2**k for k in range(11))),
    (16400, (*(2**k for k in range(15)), 16400)),
    # more than 17 powers of two: FARSI keeps the first 16, then the loop count
    (1638400, (*(2**k for k in range(16)), 1638400)),
])
def test_unrolling_factors_follow_farsi(loops, levels):
    assert default_library().accelerator.unroll_levels(loops) == levels


def test_memory_figures_pass_through_the_cacti_rows_and_round_up():
    sram = default_library().memories["sram"]
    for size, rd, wr, area in zip(sram.sizes_bytes, sram.read_j_per_byte, sram.write_j_per_byte,
                                  sram.area_mm2, strict=True):
        assert sram.read_energy(size) == pytest.approx(rd, rel=1e-12)
        assert sram.write_energy(size) == pytest.approx(wr, rel=1e-12)
        assert sram.area(size) == pytest.approx(area, rel=1e-12)
    assert sram.capacity(0) == 256_000 and sram.capacity(256_001) == 512_000
    assert sram.capacity(1_561_696) == 1_792_000  # FARSI's audio decoder start design
    assert sram.area(100_000_000) > sram.area(46_080_000)  # extrapolated beyond the rows


def _broken(path: list, value=None, *, delete: bool = False) -> dict:
    data = copy.deepcopy(DATA)
    node = data
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


@pytest.mark.parametrize(("path", "value", "message"), [
    (["cores", "A53", "ipc"], -2, "'cores.A53.ipc' must be a finite number > 0"),
    (["cores", "A53", "clock_hz"], float("inf"), "'cores.A53.clock_hz' must be a finite number"),
    (["cores", "A53", "area_mm2"], "0.65", "'cores.A53.area_mm2' must be a finite number"),
    (["cores", "A53", "ipc"], True, "got True"),
    (["cores", "A53", "clokc_hz"], 1e9, "unknown field 'cores.A53.clokc_hz'. Did you mean "
                                         "'clock_hz'"),
    (["accelerator", "clock_multipliers"], [1, 1], "distinct integers"),
    (["accelerator", "unroll_factor"], 1, "'accelerator.unroll_factor' must be an integer in 2"),
    (["accelerator", "reference_core"], "A35", "must name a core type, got 'A35'"),
    (["accelerator", "energy_scale"], float("nan"), "'accelerator.energy_scale' must be"),
    (["memories", "sram", "cacti"], [[1000, 1e-12, 1e-12]], "'memories.sram.cacti\\[0\\]' must "
                                                           "be a row"),
    (["memories", "sram", "cacti"], [[1000, 1e-12, -1e-12, 1.0]], "cacti\\[0\\]\\[2\\]' must "
                                                                 "be a finite number > 0"),
    (["memories", "dram", "stacked"], "yes", "'memories.dram.stacked' must be true or false"),
    (["bus", "area_mm2"], -1.0, "'bus.area_mm2' must be a finite number >= 0"),
    # clocks below 1 MHz rounded to (0, 0, 0, 0) MHz: a ValueError from the design space
    (["accelerator", "base_clock_hz"], 1.0, "'accelerator.base_clock_hz' must be a finite "
                                            "number >= 1e\\+06"),
    (["bus", "base_clock_hz"], 5e5, "'bus.base_clock_hz' must be a finite number >= 1e\\+06"),
    (["memories", "sram", "base_clock_hz"], 0.5, "'memories.sram.base_clock_hz' must be"),
    (["widths_bytes"], [4, 0], "'widths_bytes' must be a non-empty list of distinct integers"),
    (["widths"], [4], "unknown field 'widths'. Did you mean 'widths_bytes'"),
])
def test_bad_library_file_names_file_field_and_value(tmp_path, path, value, message):
    bad = tmp_path / "lib.yaml"
    bad.write_text(yaml.safe_dump(_broken(path, value)), encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_library(bad)
    assert "lib.yaml" in str(info.value)


def test_missing_field_and_non_mapping():
    with pytest.raises(ConfigError, match=r"missing field 'bus.base_clock_hz'"):
        library_from_dict(_broken(["bus", "base_clock_hz"], delete=True))
    with pytest.raises(ConfigError, match=r"must be a mapping"):
        library_from_dict([1, 2, 3])


def test_unreadable_library_files(tmp_path):
    with pytest.raises(ConfigError, match=r"no such file"):
        load_library(tmp_path / "nope.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("cores: {A53: {ipc: 2}}  # \xe9t\xe9".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin.yaml.*not UTF-8"):
        load_library(latin)
    broken = tmp_path / "broken.yaml"
    broken.write_text("cores: [", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"not valid YAML"):
        load_library(broken)


def test_a_user_library_drives_the_simulator(tmp_path):
    faster = _broken(["cores", "A53", "clock_hz"], 2e9)
    path = tmp_path / "fast.yaml"
    path.write_text(yaml.safe_dump(faster), encoding="utf-8")
    slow = SoCSimulator("hpvm_cava")
    fast = SoCSimulator("hpvm_cava", load_library(path))
    d = slow.design_space.default()
    assert fast.evaluate(d)["latency_s"] == pytest.approx(slow.evaluate(d)["latency_s"] / 2,
                                                          rel=1e-6)
