"""Closed-form cases of the accelerator model: exact fill, limits, stalls, monotonicity."""

from __future__ import annotations

import numpy as np
import pytest

from archgym.errors import InvalidDesign
from archgym.simulators.accelerator import AcceleratorSimulator, LayerTable, gemm_layer

SIM = AcceleratorSimulator()
BIG = dict(ifmap_sram_kb=2048, filter_sram_kb=2048, ofmap_sram_kb=2048,
           dram_bw_bytes_per_cycle=10**9, clock_mhz=1000)


def design(rows=16, cols=16, dataflow="ws", **kw):
    return dict(BIG, pe_rows=rows, pe_cols=cols, dataflow=dataflow, **kw)


def test_gemm_that_exactly_fills_the_array_os():
    # os: M=16 -> rows, N=16 -> cols, K=64 in time; one fold: T + R + C - 2 - 1 cycles
    out = SIM.evaluate_layer(design(dataflow="os"), gemm_layer("g", 16, 16, 64))
    assert out["compute_cycles"] == 64 + 16 + 16 - 2 - 1
    assert out["mapping_efficiency"] == 1.0
    assert out["sram_ifmap_reads"] == 16 * 64
    assert out["sram_filter_reads"] == 64 * 16
    assert out["sram_ofmap_writes"] == 16 * 16
    assert out["sram_ofmap_reads"] == 0


def test_gemm_that_exactly_fills_the_array_ws_and_is():
    # ws: K=16 -> rows, N=16 -> cols, M=100 in time: 2R + C + T - 2 - 1
    out = SIM.evaluate_layer(design(dataflow="ws"), gemm_layer("g", 100, 16, 16))
    assert out["compute_cycles"] == 2 * 16 + 16 + 100 - 2 - 1
    # is: K=16 -> rows, M=16 -> cols, N=100 in time
    out = SIM.evaluate_layer(design(dataflow="is"), gemm_layer("g", 16, 100, 16))
    assert out["compute_cycles"] == 2 * 16 + 16 + 100 - 2 - 1
    assert out["mapping_efficiency"] == 1.0


def test_folding_multiplies_per_fold_cycles():
    # ws, K=40 over 16 rows (3 row folds), N=20 over 16 cols (2 col folds)
    out = SIM.evaluate_layer(design(dataflow="ws"), gemm_layer("g", 50, 20, 40))
    assert out["compute_cycles"] == 6 * (2 * 16 + 16 + 50 - 2) - 1
    assert out["mapping_efficiency"] == pytest.approx(40 * 20 / (6 * 256))
    assert out["sram_ofmap_reads"] == 2 * 50 * 20  # two row folds read back partial sums


@pytest.mark.parametrize("dataflow", ["ws", "os", "is"])
def test_utilisation_tends_to_one_for_large_layers_on_a_small_array(dataflow):
    utils = [SIM.evaluate_layer(design(4, 4, dataflow), gemm_layer("g", s, s, s))["utilization"]
             for s in (64, 256, 1024)]
    assert utils[0] < utils[1] < utils[2]
    assert utils[2] > 0.98


def test_memory_bound_layer_takes_dram_bytes_over_bandwidth():
    # GEMV 1x4096x4096 on 16x16 ws at 4 B/cycle: every byte moves once and transfer dominates
    layer = gemm_layer("gemv", 1, 4096, 4096)
    out = SIM.evaluate_layer(design(dram_bw_bytes_per_cycle=4), layer)
    assert out["dram_bytes"] == 4096 * 4096 + 4096 + 4096
    assert out["cycles"] == pytest.approx(out["dram_bytes"] / 4)
    assert out["stall_cycles"] == pytest.approx(out["dram_bytes"] / 4 - out["compute_cycles"])


def test_compulsory_traffic_when_everything_fits():
    out = SIM.evaluate_layer(design(), gemm_layer("g", 128, 96, 200))
    assert out["dram_ifmap_bytes"] == 128 * 200
    assert out["dram_filter_bytes"] == 200 * 96
    assert out["dram_ofmap_bytes"] == 128 * 96
    assert out["dram_psum_read_bytes"] == 0


def test_minimal_tile_that_does_not_fit_is_invalid():
    # 256x256 ws: one filter fold is 256x256 int8 = 64 KB per half -> needs 128 KB
    d = design(256, 256, filter_sram_kb=64)
    with pytest.raises(InvalidDesign, match="filter_sram_kb=64") as info:
        SIM.evaluate(d, "resnet50")
    assert info.value.parameter == "filter_sram_kb"
    assert "128 KB" in str(info.value)
    out = SIM.evaluate_batch([d, design(256, 256, filter_sram_kb=128)], "resnet50")
    assert np.isnan(out["latency_ms"][0]) and not out["valid"][0]
    assert out["valid"][1] and np.isfinite(out["latency_ms"][1])


def test_malformed_design_names_the_parameter():
    with pytest.raises(InvalidDesign, match="dataflow"):
        SIM.evaluate(design(dataflow="rs"), "resnet18")
    with pytest.raises(InvalidDesign, match="pe_rows"):
        SIM.evaluate(design(rows=0), "resnet18")


def _random_designs(n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    return [SIM.design_space.sample(rng) for _ in range(n)]


@pytest.mark.parametrize("workload", ["resnet50", "mobilenetv2", "bert_base_layer",
                                      "gpt2_small_decode"])
def test_doubling_dram_bandwidth_never_increases_cycles(workload):
    designs = _random_designs(300, 1)
    base = SIM.evaluate_batch(designs, workload)
    fast = SIM.evaluate_batch(
        [dict(d, dram_bw_bytes_per_cycle=2 * d["dram_bw_bytes_per_cycle"]) for d in designs],
        workload)
    ok = base["valid"]
    assert ok.sum() > 100
    assert np.all(fast["cycles"][ok] <= base["cycles"][ok])
    assert np.any(fast["cycles"][ok] < base["cycles"][ok])


@pytest.mark.parametrize("buffer", ["ifmap_sram_kb", "filter_sram_kb", "ofmap_sram_kb"])
@pytest.mark.parametrize("workload", ["resnet50", "vgg16", "bert_base_layer"])
def test_larger_sram_never_increases_dram_traffic(buffer, workload):
    designs = _random_designs(300, 2)
    base = SIM.evaluate_batch(designs, workload)
    big = SIM.evaluate_batch([dict(d, **{buffer: 2 * d[buffer]}) for d in designs], workload)
    ok = base["valid"]
    assert np.all(big["valid"][ok])
    assert np.all(big["dram_bytes"][ok] <= base["dram_bytes"][ok])
    assert np.any(big["dram_bytes"][ok] < base["dram_bytes"][ok])


def test_area_grows_with_array_and_sram():
    d = design()
    a = SIM.evaluate(d, "resnet18")["area_mm2"]
    for key in ("pe_rows", "pe_cols", "ifmap_sram_kb", "filter_sram_kb", "ofmap_sram_kb"):
        bigger = dict(d, **{key: 2 * d[key]})
        assert SIM.evaluate(bigger, "resnet18")["area_mm2"] > a, key


def test_energy_monotone_in_precision_bandwidth_and_clock():
    designs = _random_designs(200, 3)
    base = SIM.evaluate_batch(designs, "resnet50")
    ok = base["valid"]
    fp16 = AcceleratorSimulator("fp16").evaluate_batch(designs, "resnet50")
    both = ok & fp16["valid"]
    assert both.sum() > 50
    assert np.all(fp16["energy_mj"][both] > base["energy_mj"][both])
    # more bandwidth or a faster clock shortens the run: less leakage energy, more power
    fast = SIM.evaluate_batch(
        [dict(d, dram_bw_bytes_per_cycle=2 * d["dram_bw_bytes_per_cycle"]) for d in designs],
        "resnet50")
    assert np.all(fast["energy_mj"][ok] <= base["energy_mj"][ok])
    slow = SIM.evaluate_batch([dict(d, clock_mhz=100) for d in designs], "resnet50")
    assert np.all(slow["energy_mj"][ok] > base["energy_mj"][ok])
    assert np.all(slow["power_w"][ok] < base["power_w"][ok])


def test_energy_grows_with_work():
    d = design()
    one = LayerTable([gemm_layer("g", 64, 64, 64)])
    two = LayerTable([gemm_layer("g", 64, 64, 64, count=2)])
    e1, e2 = SIM.evaluate(d, one)["energy_mj"], SIM.evaluate(d, two)["energy_mj"]
    assert e2 == pytest.approx(2 * e1)


def test_batch_equals_single_evaluations():
    designs = _random_designs(40, 4)
    batch = SIM.evaluate_batch(designs, "resnet18")
    for i, d in enumerate(designs):
        try:
            single = SIM.evaluate(d, "resnet18")
        except InvalidDesign:
            assert not batch["valid"][i]
            continue
        for key, value in single.items():
            assert batch[key][i] == pytest.approx(value, rel=1e-12)


def test_power_is_energy_over_time():
    out = SIM.evaluate(design(dram_bw_bytes_per_cycle=16, clock_mhz=700), "resnet18")
    assert out["power_w"] == pytest.approx(out["energy_mj"] / out["latency_ms"])
    assert out["latency_ms"] == pytest.approx(out["cycles"] / 700e3)
