"""``archgym/DNNAccelerator-v0``: design a systolic-array DNN accelerator."""

from __future__ import annotations

import os
from typing import Any

from archgym.env import ArchEnv
from archgym.simulators.accelerator import AcceleratorSimulator, LayerTable

__all__ = ["EDGE_BUDGET", "DNNAcceleratorEnv", "default_targets"]

#: The edge-accelerator budget behind the default targets.
EDGE_BUDGET = {
    "macs_per_second": 200e9,  # sustained 200 GMAC/s: ResNet-50 (3.86 GMAC) in 19 ms, ~50 frame/s
    "pj_per_mac": 5.0,  # 5 pJ per MAC including DRAM (ResNet-50: 19 mJ per frame)
    "area_mm2": 4.0,  # 4 mm² of 45 nm silicon for the array and its SRAM
    "power_w": 1.0,  # 1 W, a passively cooled edge module
}


def default_targets(net: LayerTable) -> dict[str, float]:
    """Default targets of a network under :data:`EDGE_BUDGET`.

    Latency and energy scale with the network's MACs, so every workload gets
    the same throughput and efficiency budget.
    """
    macs = float(net.total_macs)
    return {
        "latency_ms": macs / EDGE_BUDGET["macs_per_second"] * 1e3,
        "energy_mj": macs * EDGE_BUDGET["pj_per_mac"] * 1e-9,
        "area_mm2": EDGE_BUDGET["area_mm2"],
        "power_w": EDGE_BUDGET["power_w"],
    }


class DNNAcceleratorEnv(ArchEnv):
    """Design a systolic-array DNN accelerator for one network.

    ## Description
    Each step proposes one accelerator design, which the analytical
    :class:`~archgym.simulators.accelerator.AcceleratorSimulator` evaluates
    on the whole workload (SCALE-Sim v3's compute model, a DRAM tiling search,
    bandwidth stalls, energy and area from Horowitz's 45 nm figures).

    ## Action Space
    ``MultiDiscrete([7, 7, 3, 9, 9, 9, 6, 4])``, one index per parameter:
    ``pe_rows`` and ``pe_cols`` in {4, 8, 16, 32, 64, 128, 256}; ``dataflow``
    in {ws, os, is}; ``ifmap_sram_kb``, ``filter_sram_kb``, ``ofmap_sram_kb``
    in {8, 16, ..., 2048} (powers of two); ``dram_bw_bytes_per_cycle`` in
    {4, 8, 16, 32, 64, 128}; ``clock_mhz`` in {200, 400, 700, 1000}.

    ## Observation Space
    ``Box(-16, 16, (5,), float32)``: ``log2(metric / target)`` of
    ``latency_ms``, ``energy_mj``, ``area_mm2``, ``power_w`` (0 = on target),
    then 1.0 for a valid design, 0.0 for an invalid one.

    ## Rewards
    The core objective (default ``"distance"``: 0 when every target is met,
    negative otherwise). Default targets are an edge-accelerator budget
    (:data:`EDGE_BUDGET`): latency = MACs / 200 GMAC/s, energy = 5 pJ per
    MAC, area 4 mm², power 1 W. For ResNet-50: 19.3 ms, 19.3 mJ, 4 mm², 1 W.
    A design whose buffers cannot hold the minimal tile of some layer is
    invalid: it gets the core's ``invalid_reward`` and ``info["invalid"]``
    with the reason in ``info["error"]``.

    ## Episode End
    As for every :class:`~archgym.env.ArchEnv`: with the default
    ``max_steps=1`` an episode terminates after its one step (a contextual
    bandit); with ``max_steps > 1`` it is truncated after ``max_steps`` steps;
    with ``terminate_on_target=True`` it terminates when every target is met.

    ## Arguments
    - ``workload``: a network name (``alexnet``, ``vgg16``, ``resnet18``,
      ``resnet50`` (default), ``mobilenetv2``, ``bert_base_layer``,
      ``gpt2_small_decode``) or the path of a SCALE-Sim topology CSV.
    - ``precision``: ``"int8"`` (default) or ``"fp16"``.
    - ``**kwargs``: forwarded to :class:`~archgym.env.ArchEnv` (``targets``,
      ``weights``, ``reward_formula``, ``objective``, ``max_steps``,
      ``terminate_on_target``, ``invalid_reward``, ``render_mode``,
      ``backend``, ``backend_options``).

    ## Version History
    - v0: initial version.
    """

    def __init__(
        self,
        workload: str | os.PathLike[str] = "resnet50",
        precision: str = "int8",
        **kwargs: Any,
    ):
        simulator = AcceleratorSimulator(precision)
        self.precision = precision
        defaults = {"default_targets": lambda w: default_targets(simulator.resolve_workload(w))}
        super().__init__(simulator, workload, **{**defaults, **kwargs})
