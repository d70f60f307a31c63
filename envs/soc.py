"""`archgym/SoC-v0`: design an AR/VR system-on-chip for a task-graph workload."""

from __future__ import annotations

import os
from typing import Any

from archgym.env import ArchEnv, workload_list
from archgym.errors import ConfigError
from archgym.simulators.soc import SoCSimulator, TaskGraph

__all__ = ["FARSI_BUDGETS", "SoCEnv"]

#: FARSI's budgets per workload (latency s, power W, area mm^2); see FACTS.md.
FARSI_BUDGETS: dict[str, dict[str, float]] = {
    "audio_decoder": {"latency_s": 0.021, "power_w": 8.737e-3, "area_mm2": 17.475},
    "edge_detection": {"latency_s": 0.034, "power_w": 8.737e-3, "area_mm2": 17.475},
    "hpvm_cava": {"latency_s": 0.034, "power_w": 8.737e-3, "area_mm2": 17.475},
}


class SoCEnv(ArchEnv):
    """Allocate, connect and map an AR/VR SoC for one task graph.

    ## Description
    The design of a heterogeneous SoC in the manner of FARSI: which processing elements
    (A53-class cores at three clocks, per-task accelerators with 1..256 lanes), memories
    (SRAM, DRAM; 4..64 bytes/cycle) and buses (4..64 bytes/cycle) exist, how they are
    connected, and which PE runs each task and which memory holds its output. Each step
    evaluates one full design with :class:`~archgym.simulators.soc.SoCSimulator`, a
    discrete-event simulation of the workload's task graph (FARSI's audio decoder and
    edge detection, the CAVA camera pipeline).

    ## Action Space
    ``MultiDiscrete`` over the flat encoding of
    :mod:`archgym.simulators.soc.space`, sized per workload (``P = min(W + 1, 6)``
    PE slots for ``W`` tasks with work, 3 memory and 3 bus slots, two entries per task):

    * ``n_pes``; per PE slot ``pe{i}_kind`` (gpp/accelerator), ``pe{i}_size`` (core
      type mod 3, or lane-count index), ``pe{i}_task`` (task an accelerator serves),
      ``pe{i}_bus``;
    * ``n_mems``; per memory slot ``mem{j}_kind``, ``mem{j}_width``, ``mem{j}_bus``;
    * ``n_buses``; ``bus{k}_width``; ``bus{k}_link`` (bus ``k`` joins bus
      ``link mod k``, so buses form a tree);
    * per task ``task{t}_pe`` and ``task{t}_mem``.

    Indices are relative to what is allocated: slots beyond ``n_*`` are ignored, bus
    and memory indices are taken modulo the number allocated, and ``task{t}_pe`` picks
    among the PEs that may run task ``t`` (every core and the accelerators built for
    it). 57 entries for edge_detection, 75 for audio_decoder, 59 for hpvm_cava. About
    83-85% of uniformly random actions are valid (see ``benchmarks/soc_speed.py``); the
    rest allocate no core and no accelerator for some task.

    ## Observation Space
    ``Box(-16, 16, (5,), float32)``: ``log2(metric / scale)`` for ``latency_s``,
    ``power_w``, ``area_mm2``, ``energy_j`` (scale = target, or for ``energy_j`` the
    latency budget times the power budget), then a validity flag (see
    :mod:`archgym.env`).

    ## Rewards
    The core objective (``"distance"`` by default) against FARSI's budgets: latency
    21 ms (audio_decoder) or 34 ms (edge_detection, hpvm_cava), power 8.737 mW, area
    17.475 mm^2. An invalid design gets the penalty reward with ``info["invalid"]`` and
    the broken rule in ``info["error"]``.

    ## Episode End
    Truncated after ``max_steps`` (default 1); with ``terminate_on_target=True`` the
    episode terminates when every budget is met.

    ## Arguments
    * ``workload``: one of ``audio_decoder``, ``edge_detection`` (default),
      ``hpvm_cava``, the path of a task-graph file (YAML/JSON, see
      :mod:`archgym.simulators.soc.taskgraph`), or a
      :class:`~archgym.simulators.soc.TaskGraph` (e.g. from ``synthetic_task_graph``).
      A workload that is not shipped has no FARSI budget: pass ``targets``.
    * ``**kwargs``: forwarded to :class:`~archgym.env.ArchEnv` (``targets``,
      ``weights``, ``reward_formula``, ``objective``, ``max_steps``,
      ``terminate_on_target``, ``invalid_reward``, ``render_mode``, ``backend``,
      ``backend_options``).

    ## Version History
    * v0: initial version.
    """

    def __init__(self, workload: str | os.PathLike[str] | TaskGraph = "edge_detection",
                 **kwargs: Any):
        several = workload_list(workload)
        simulator = SoCSimulator(several[0])  # raises UnknownName for an unknown workload
        for other in several[1:]:
            if simulator.encoding(other).space != simulator.design_space:
                raise ConfigError(
                    f"workloads {simulator.workload_label(several[0])!r} and "
                    f"{simulator.workload_label(other)!r} have different SoC design spaces "
                    "(the flat encoding is sized by the task graph); an env can sample only "
                    "workloads whose task graphs have the same tasks"
                )
        defaults = {"default_targets": _budget, "default_scales": _scales}
        super().__init__(simulator, workload, **{**defaults, **kwargs})


def _budget(workload: Any) -> dict[str, float]:
    """FARSI's budget of a shipped workload ({} for others: pass targets)."""
    return FARSI_BUDGETS.get(workload, {}) if isinstance(workload, str) else {}


def _scales(workload: Any) -> dict[str, float]:
    budget = _budget(workload)
    return {"energy_j": budget["latency_s"] * budget["power_w"]} if budget else {}
