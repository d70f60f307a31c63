"""`archgym/SoC-v1`: design an AR/VR system-on-chip for a task-graph workload."""

from __future__ import annotations

import os
from typing import Any

from archgym.env import ArchEnv, workload_list
from archgym.errors import ConfigError
from archgym.simulators.soc import SoCSimulator, TaskGraph

__all__ = ["FARSI_BUDGETS", "SoCEnv"]

#: FARSI's budgets per workload (latency s, power W, area mm^2); FACTS.md, and
#: farsi_inputs.csv lines 2-12 (FARSI's "misc_database - Budget.csv").
FARSI_BUDGETS: dict[str, dict[str, float]] = {
    "audio_decoder": {"latency_s": 0.021, "power_peak_w": 8.737e-3, "area_mm2": 17.475},
    "edge_detection": {"latency_s": 0.034, "power_peak_w": 8.737e-3, "area_mm2": 17.475},
    "hpvm_cava": {"latency_s": 0.034, "power_peak_w": 8.737e-3, "area_mm2": 17.475},
}


class SoCEnv(ArchEnv):
    """Allocate, connect and map an AR/VR SoC for one task graph, in FARSI's model.

    ## Description
    The design of a heterogeneous SoC as FARSI (Boroujerdian et al.) models it: which
    processing elements exist (A53 cores; accelerators built for one task each, with a
    clock of 100-800 MHz and a loop unrolling), which memories (SRAM, DRAM; 4-128 bytes
    per cycle at 100-800 MHz) and buses (same widths and clocks), how they connect, and
    which PE runs each task and which memory holds its output. Each step evaluates one
    full design with :class:`~archgym.simulators.soc.SoCSimulator`, an event-driven
    simulation of the workload's task graph in FARSI's model (every task reads, computes
    and writes at once, at the pace of its bottleneck; buses shared equally, memories
    by the size of the pieces each task moves), on FARSI's own workloads: the audio
    decoder, edge detection and the HPVM CAVA camera pipeline. The simulator agrees
    with FARSI on FARSI's designs (see ``tests/simulators/soc/farsi_golden.csv``).

    ## Action Space
    ``MultiDiscrete`` over the flat encoding of :mod:`archgym.simulators.soc.space`,
    sized per workload (``P = min(W + 1, 16)`` PE slots for ``W`` tasks with work, 4
    memory and 3 bus slots, two entries per task):

    * ``n_pes``; per PE slot ``pe{i}_kind`` (gpp/accelerator), ``pe{i}_task`` (the task
      an accelerator serves), ``pe{i}_unroll`` (index into that task's unrolling
      factors), ``pe{i}_clock`` (MHz), ``pe{i}_bus``;
    * ``n_mems``; per memory slot ``mem{j}_kind``, ``mem{j}_width``, ``mem{j}_clock``,
      ``mem{j}_bus``;
    * ``n_buses``; ``bus{k}_width``, ``bus{k}_clock``; ``bus{k}_link`` (bus ``k`` joins
      bus ``link mod k``, so buses form a tree);
    * per task ``task{t}_pe`` and ``task{t}_mem``.

    Indices are relative to what is allocated: slots beyond ``n_*`` are ignored, bus
    and memory indices are taken modulo the number allocated, and ``task{t}_pe`` picks
    among the PEs that may run task ``t`` (every core and the accelerators built for
    it). 143 entries for audio_decoder, 78 for edge_detection, 85 for hpvm_cava. Most
    uniformly random actions are valid (see ``benchmarks/soc_speed.py``); the rest
    allocate no core and no accelerator for some task.

    ## Observation Space
    ``Box(-16, 16, (7,), float32)``: ``log2(metric / scale)`` for ``latency_s``,
    ``power_peak_w``, ``area_mm2``, ``energy_j``, ``power_avg_w``, ``dram_area_mm2``
    (scale = target; for ``energy_j`` the latency budget times the power budget, for
    ``power_avg_w`` the power budget, for ``dram_area_mm2`` the area budget), then a
    validity flag (see :mod:`archgym.env`).

    ## Rewards
    The core objective (``"distance"`` by default) against FARSI's budgets: latency
    21 ms (audio_decoder) or 34 ms (edge_detection, hpvm_cava), power 8.737 mW (FARSI's
    definition: the peak over 10 ms windows, ``power_peak_w``), SoC die area
    17.475 mm^2 (``area_mm2``; FARSI budgets the stacked DRAM die apart, and it never
    comes near). An invalid design gets the penalty reward with ``info["invalid"]``
    and the broken rule in ``info["error"]``.

    ## Episode End
    Truncated after ``max_steps`` (default 1); with ``terminate_on_target=True`` the
    episode terminates when every budget is met.

    ## Arguments
    * ``workload``: one of ``audio_decoder``, ``edge_detection`` (default),
      ``hpvm_cava``, the path of a task-graph file (YAML/JSON, see
      :mod:`archgym.simulators.soc.taskgraph`), or a
      :class:`~archgym.simulators.soc.TaskGraph` (e.g. from ``synthetic_task_graph``).
      A workload that is not shipped has no FARSI budget: pass ``targets``. A list of
      workloads is sampled per reset (see :mod:`archgym.env`); they must have the same
      tasks, as the flat encoding is sized by the task graph.
    * ``farsi_energy_reading``: read the accelerators' energy figures as FARSI does
      (femtojoules) rather than as nanojoules (default ``False``; see
      ``simulators/soc/blocks.yaml``). With FARSI's reading accelerators cost almost no
      energy, and the edge-detection and CAVA budgets become reachable.
    * ``**kwargs``: forwarded to :class:`~archgym.env.ArchEnv` (``targets``,
      ``weights``, ``reward_formula``, ``objective``, ``max_steps``,
      ``terminate_on_target``, ``invalid_reward``, ``render_mode``, ``backend``,
      ``backend_options``).

    ## Version History
    * v1: FARSI's model and data. The task graphs and block library are rebuilt from
      FARSI's published figures (edge detection's data movement and all of CAVA were
      reconstructions in v0); timing follows FARSI (reads, compute and writes of a
      task overlap; reads and writes have their own channels; no hop latency);
      accelerators have a clock and a loop unrolling instead of lanes; memories and
      buses have clocks; memory energy and area follow the memory's peak occupancy
      (CACTI); metrics are ``latency_s``, ``power_peak_w`` (FARSI's, the env target),
      ``power_avg_w``, ``energy_j``, ``area_mm2`` (SoC die) and ``dram_area_mm2``.
    * v0: initial version (removed; ``gym.make("archgym/SoC-v0")`` names v1).
    """

    def __init__(self, workload: str | os.PathLike[str] | TaskGraph = "edge_detection",
                 *, farsi_energy_reading: bool = False, **kwargs: Any):
        several = workload_list(workload)
        # raises UnknownName for an unknown workload, ConfigError for a malformed file
        simulator = SoCSimulator(several[0], farsi_energy_reading=farsi_energy_reading)
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
    return dict(FARSI_BUDGETS.get(workload, {})) if isinstance(workload, str) else {}


def _scales(workload: Any) -> dict[str, float]:
    """Observation scales of the metrics the budgets do not target."""
    budget = _budget(workload)
    if not budget:
        return {}
    return {"energy_j": budget["latency_s"] * budget["power_peak_w"],
            "power_avg_w": budget["power_peak_w"], "dram_area_mm2": budget["area_mm2"]}
