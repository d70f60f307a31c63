"""Bad designs and topology files give a clear InvalidDesign/ConfigError, never nonsense.

The cases are issue 13's: ``{"pe_rows": "16", "clock_mhz": True, "pe_colz": 4}``
was evaluated (19,825 ms), ``clock_mhz=1e308`` gave ``power_w=inf``, a topology
row with M = 10^30 raised ZeroDivisionError on the third step, and non-UTF-8
files raised UnicodeDecodeError.
"""

from __future__ import annotations

import math

import gymnasium as gym
import pytest

from archgym.errors import ConfigError, InvalidDesign
from archgym.simulators.accelerator import AcceleratorSimulator, accelerator_space, load_topology

SIM = AcceleratorSimulator()
DESIGN = accelerator_space().default()


@pytest.mark.parametrize(
    ("change", "parameter"),
    [
        ({"pe_rows": "16"}, "pe_rows"),
        ({"clock_mhz": True}, "clock_mhz"),
        ({"pe_colz": 4}, "pe_colz"),
        ({"clock_mhz": 1e308}, "clock_mhz"),
        ({"clock_mhz": math.nan}, "clock_mhz"),
        ({"pe_rows": 16.5}, "pe_rows"),
        ({"ifmap_sram_kb": -8}, "ifmap_sram_kb"),
        ({"dataflow": "rs"}, "dataflow"),
    ],
)
def test_bad_design_values_are_invalid_and_named(change, parameter):
    with pytest.raises(InvalidDesign, match=repr(parameter)) as err:
        SIM.evaluate({**DESIGN, **change}, "resnet18")
    assert err.value.parameter == parameter
    batch = SIM.evaluate_batch([DESIGN, {**DESIGN, **change}], "resnet18")
    assert batch["valid"].tolist() == [True, False] and math.isnan(batch["latency_ms"][1])


def test_off_space_sizes_within_bounds_still_evaluate():
    out = SIM.evaluate({**DESIGN, "pe_rows": 12, "ifmap_sram_kb": 100.5}, "resnet18")
    assert all(math.isfinite(v) for v in out.values())


@pytest.mark.parametrize(
    "text",
    [
        "Layer, M, N, K,\nbig, 1000000000000000000000000000000, 4, 4,\n",
        "Layer, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
        "Strides,\nx, 2000000000, 2000000000, 1, 1, 3, 8, 1,\n",
        "Layer, M, N, K,\nhuge, 2000000000, 2000000000, 2000000000,\n",
    ],
)
def test_oversized_layers_are_refused_when_the_file_is_read(tmp_path, text):
    path = tmp_path / "net.csv"
    path.write_text(text)
    with pytest.raises(ConfigError, match="net"):
        load_topology(path)
    with pytest.raises(ConfigError):
        gym.make("archgym/DNNAccelerator-v0", workload=str(path))


def test_non_utf8_topology_is_a_config_error(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"Layer, M, N, K,\n\xff\xfe, 4, 4, 4\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_topology(path)
