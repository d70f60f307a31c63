"""Memspec validation at the boundary: every field, its type, its range; crashes become errors.

The crash-prone examples (a timing that used to overflow the kernel's arrays
and kill the process, a tREFI of 0 that used to hang it) run in a subprocess
with a timeout, so a segmentation fault or a hang fails the test, not the run.
"""

from __future__ import annotations

import json
import textwrap
from importlib import resources
from pathlib import Path

import gymnasium as gym
import pytest

import archgym  # noqa: F401  (registers the envs)
from archgym.errors import ConfigError
from archgym.simulators.dram import DRAMSimulator, generate_trace
from archgym.simulators.dram.memspec import (
    MAX_TIMING,
    MAX_TREFI,
    MAX_TRFC,
    SHIPPED_MEMSPECS,
    TIMING_KEYS,
    MemSpec,
    load_memspec,
)
from tests.simulators.dram.helpers import run_isolated

ENV_ID = "archgym/DRAMController-v0"


def ddr4() -> dict:
    """The shipped DDR4-3200 memspec as a fresh JSON dict."""
    text = resources.files("archgym.simulators.dram").joinpath(
        "memspec_DDR4-3200-8Gb-x8.json").read_text()
    return json.loads(text)


def write(tmp_path: Path, raw: object, name: str = "spec.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(raw))
    return path


def with_timing(**timing: object) -> dict:
    raw = ddr4()
    raw["name"] = "custom"
    raw["timing"].update(timing)
    return raw


# ------------------------------------------------ the crash-prone examples
_CHILD = textwrap.dedent("""
    import sys
    import gymnasium as gym
    import archgym
    from archgym.errors import ConfigError
    from archgym.simulators.dram import DRAMSimulator, generate_trace

    path, how = sys.argv[1], sys.argv[2]
    try:
        if how == "env":
            env = gym.make("archgym/DRAMController-v0", memspec=path)
            env.reset(seed=0)
            env.step(env.action_space.sample())
        else:
            DRAMSimulator(path).run(generate_trace("random", 2000, seed=0))
    except ConfigError as exc:
        print("ConfigError:", exc)
    else:
        print("accepted")
""")

CRASHERS = {
    "huge-tRCD": {"tRCD": 1_000_000},
    "huge-tCCD": {"tCCD_S": 10**9, "tCCD_L": 10**9},
    "zero-tREFI": {"tREFI": 0},
}


@pytest.mark.parametrize("how", ["env", "simulator"])
@pytest.mark.parametrize("case", sorted(CRASHERS))
def test_crashing_timings_raise_config_error_fast(tmp_path, case, how):
    out = run_isolated(_CHILD, str(write(tmp_path, with_timing(**CRASHERS[case]))), how)
    assert out.startswith("ConfigError:"), out
    assert "'custom'" in out and "timing" in out


@pytest.mark.parametrize("case", sorted(CRASHERS))
def test_crashing_timings_rejected_at_load(tmp_path, case):
    key = next(iter(CRASHERS[case]))
    path = write(tmp_path, with_timing(**CRASHERS[case]))
    with pytest.raises(ConfigError, match=rf"memspec 'custom': timing {key} must .*got"):
        load_memspec(path)
    with pytest.raises(ConfigError, match=rf"timing {key}"):
        gym.make(ENV_ID, memspec=path)


def test_zero_tck_rejected_at_load(tmp_path):
    raw = ddr4()
    raw["tck_ns"] = 0
    with pytest.raises(ConfigError, match=r"'DDR4-3200-8Gb-x8': tck_ns must be a finite number .*"
                                          r"got 0"):
        load_memspec(write(tmp_path, raw))
    with pytest.raises(ConfigError, match="tck_ns"):
        gym.make(ENV_ID, memspec=write(tmp_path, raw))


# ------------------------------------------------------ types and ranges
@pytest.mark.parametrize("value,rule", [
    (True, "must be an integer"),
    ("22", "must be an integer"),
    (22.5, "must be an integer"),
    (float("nan"), "must be an integer"),
    (float("inf"), "must be an integer"),
    (None, "must be an integer"),
    ([22], "must be an integer"),
    (-1, r"must be in \[1, 4096\]"),
    (0, r"must be in \[1, 4096\]"),
    (MAX_TIMING + 1, r"must be in \[1, 4096\]"),
    (2**70, r"must be in \[1, 4096\]"),
])
def test_timing_type_and_range(tmp_path, value, rule):
    with pytest.raises(ConfigError, match=rf"'custom': timing CL {rule}, got ") as err:
        load_memspec(write(tmp_path, with_timing(CL=value)))
    assert str(err.value).endswith(repr(value))


def test_integral_float_timing_is_accepted_as_int(tmp_path):
    spec = load_memspec(write(tmp_path, with_timing(CL=22.0)))
    assert spec.timing["CL"] == 22 and type(spec.timing["CL"]) is int


@pytest.mark.parametrize("timing,field", [
    ({"tRFC": MAX_TRFC + 1, "tREFI": MAX_TREFI}, "tRFC"),
    ({"tREFI": MAX_TREFI + 1}, "tREFI"),
    ({"tREFI": 560}, "tREFI"),  # tREFI <= tRFC: refresh would never catch up
    ({"tREFI": 1757}, "tREFI"),  # just below 2 x (tRFC + the other timings)
    ({"tRC": 70}, "tRC"),  # < tRAS + tRP
    ({"tFAW": MAX_TIMING + 1}, "tFAW"),
])
def test_timing_bounds_and_relations(tmp_path, timing, field):
    with pytest.raises(ConfigError, match=rf"'custom': timing {field} must"):
        load_memspec(write(tmp_path, with_timing(**timing)))


@pytest.mark.parametrize("trfc", [4096, MAX_TRFC])
def test_largest_accepted_timings_simulate(tmp_path, trfc):
    """Timings at their upper bounds (tREFI at MAX_TREFI) still run to completion quickly."""
    timing = {k: MAX_TIMING for k in TIMING_KEYS}
    timing.update(tRAS=MAX_TIMING // 2, tRP=MAX_TIMING // 2, tRFC=trfc, tREFI=MAX_TREFI)
    if trfc == MAX_TRFC:  # the other timings must leave room under tREFI / 2
        timing.update({k: 2048 for k in ("CL", "CWL", "tRCD", "tWR", "tFAW", "tRTP")})
    spec = load_memspec(write(tmp_path, with_timing(**timing)))
    design = {"scheduler": "FrFcfs", "refresh_max_postponed": 8, "page_policy": "Closed"}
    stats = DRAMSimulator(spec).run(generate_trace("random", 300, seed=0, read_ratio=0.5), design)
    assert stats.requests_completed == 300


@pytest.mark.parametrize("key,value,rule", [
    ("tck_ns", float("nan"), "tck_ns must be a finite number"),
    ("tck_ns", 100.0, "tck_ns must be a finite number"),
    ("tck_ns", "0.625", "tck_ns must be a number"),
    ("rows", 3, "rows must be a power of two"),
    ("rows", 2**30, "rows must be a power of two"),
    ("columns", 4, "columns must be a power of two"),
    ("bank_groups", 16, "bank_groups must be a power of two"),
    ("banks_per_group", True, "banks_per_group must be an integer"),
    ("burst_length", 16, "burst_length must be 8"),
    ("devices_per_rank", 4, "devices_per_rank must make a 64-bit rank"),
    ("device_width", 32, "device_width must be 4, 8 or 16"),
    ("source", 3, "source must be a string"),
])
def test_organisation_fields(tmp_path, key, value, rule):
    raw = ddr4()
    raw[key] = value
    with pytest.raises(ConfigError, match=rf"'DDR4-3200-8Gb-x8': {rule}"):
        load_memspec(write(tmp_path, raw))


@pytest.mark.parametrize("key,value,rule", [
    ("vdd", -1.2, "power vdd must be a finite number"),
    ("idd0", float("inf"), "power idd0 must be a finite number"),
    ("idd4r", 10, r"power idd4r must be >= idd3n"),
    ("ipp0", 1, r"power ipp0 must be >= ipp3n"),
    ("idd5", "250", "power idd5 must be a number"),
])
def test_power_fields(tmp_path, key, value, rule):
    raw = ddr4()
    raw["power"][key] = value
    with pytest.raises(ConfigError, match=rule):
        load_memspec(write(tmp_path, raw))


# ----------------------------------------------------------- key checks
@pytest.mark.parametrize("where,key,suggestion", [
    ("top", "tck_n", "tck_ns"),
    ("timing", "tRDC", "tRCD"),
    ("power", "idd4", "idd4r"),
])
def test_unknown_keys_suggest(tmp_path, where, key, suggestion):
    raw = ddr4()
    (raw if where == "top" else raw[where])[key] = 1
    pattern = rf"unknown .*key '{key}'\. Did you mean .*'{suggestion}'"
    with pytest.raises(ConfigError, match=pattern):
        load_memspec(write(tmp_path, raw))


@pytest.mark.parametrize("where", ["top", "timing", "power"])
def test_missing_keys_named(tmp_path, where):
    raw = ddr4()
    part = raw if where == "top" else raw[where]
    key = {"top": "rows", "timing": "tWR", "power": "idd5"}[where]
    del part[key]
    with pytest.raises(ConfigError, match=key):
        load_memspec(write(tmp_path, raw))


@pytest.mark.parametrize("raw", [[1, 2], "DDR4", 3, {"timing": [1, 2]}])
def test_wrong_json_shapes(tmp_path, raw):
    if isinstance(raw, dict):
        raw = {**ddr4(), **raw}
    with pytest.raises(ConfigError):
        load_memspec(write(tmp_path, raw))


def test_non_utf8_and_bad_json_files(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe{\x00")
    with pytest.raises(ConfigError, match="UTF-8"):
        load_memspec(bad)
    bad.write_text("{")
    with pytest.raises(ConfigError, match="invalid JSON"):
        load_memspec(bad)


def test_memspec_objects_are_checked_too():
    spec = load_memspec("DDR4-3200-8Gb-x8")
    with pytest.raises(ConfigError, match="timing tRCD"):
        MemSpec(**{**spec.__dict__, "timing": {**spec.timing, "tRCD": 10**6}})
    with pytest.raises(ConfigError, match="tck_ns"):
        MemSpec(**{**spec.__dict__, "tck_ns": 0.0})


@pytest.mark.parametrize("name", SHIPPED_MEMSPECS)
def test_shipped_memspecs_pass(name):
    spec = load_memspec(name)
    assert spec.timing["tREFI"] >= 2 * sum(v for k, v in spec.timing.items() if k != "tREFI")
