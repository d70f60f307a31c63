"""Run FARSI's own simulator (and its DSE) on designs given in ArchGym's SoC format.

This is ArchGym code that imports FARSI's modules; it contains no FARSI code. It is
not run by the test suite: ``benchmarks/farsi_golden.py`` and
``benchmarks/soc_speed.py`` start it under the interpreter of a FARSI installation.

What the user provides (nothing here builds or installs FARSI):

* a checkout of FARSI (facebookresearch/Project_FARSI; the golden values were made
  with commit ce59c968) whose directory is on ``PYTHONPATH``;
* a Python interpreter with FARSI's dependencies (the versions of its
  ``environment.yml``; Python 3.7) to run this file with;
* a directory holding FARSI's CACTI build (``cacti`` binary and ``farsi_gen.cfg`` of
  zaddan/cacti_for_FARSI), which FARSI runs for memory energy and area.

FARSI reads two settings modules with hard-coded paths (``home_settings`` and
``settings.config_cacti``); this driver supplies both in memory, pointing at the
given directories, so the checkout is used unmodified.

Protocol: one JSON request per line on stdin, one JSON answer per line on stdout
(FARSI's own printing goes to stderr). Requests:

* ``{"op": "simulate", "workload": W, "design": D}`` where ``D`` is a structured design
  (``simulators/soc/structure.py``) with list-valued ``task_pe``/``task_mem`` in the
  order of ``"tasks"`` (a list of our task names, also in ``D``);
* ``{"op": "start_design", "workload": W}``: FARSI's DSE starting design, simulated;
* ``{"op": "dse", "workload": W, "evaluations": N}``: FARSI's own exploration (its
  hill climbing with annealing, ``SA_depth`` 10, arch-aware moves) for about ``N``
  simulated designs; answers its best design.

Every answer has ``latency_s`` (FARSI's, for the workload's last task), ``power_w``
(FARSI's windowed peak), ``energy_j``, ``area_mm2`` (total), ``dram_area_mm2``,
``fits_budget`` (FARSI's own check of its budgets), ``sim_s`` (wall time of FARSI's
evaluation of the design), ``memory_bytes`` (peak live bytes of each memory, before
FARSI rounds them to CACTI sizes) and ``design`` (the design in our format, read back
from FARSI's blocks). Errors answer ``{"error": message}``.

Usage (normally through the scripts named above)::

    PYTHONPATH=FARSI_DIR FARSI_PYTHON benchmarks/farsi_driver.py \\
        --farsi-dir FARSI_DIR --cacti-dir CACTI_DIR --work-dir SCRATCH
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import traceback
import types

#: FARSI's pseudo-task names -> ours; and the suffix its task names carry.
_RENAME = {"souurce": "source", "siink": "sink"}
_SUFFIX = "_fxp_cloned"


def _ours(name):
    name = _RENAME.get(name, name)
    return name[: -len(_SUFFIX)] if name.endswith(_SUFFIX) else name


def _install_settings(farsi_dir, cacti_dir, work_dir):
    """Supply FARSI's path-holding settings modules (its files hard-code their authors'
    paths)."""
    os.makedirs(work_dir, exist_ok=True)
    cfg = os.path.join(work_dir, "farsi_gen.cfg")
    with open(os.path.join(cacti_dir, "farsi_gen.cfg")) as src, open(cfg, "w") as dst:
        dst.write(src.read())
    cc = types.ModuleType("settings.config_cacti")
    cc.cact_bin_addr = os.path.join(cacti_dir, "cacti")
    cc.cacti_param_addr = cfg
    cc.cacti_data_log_file = os.path.join(work_dir, "cacti_data_log.csv")
    sys.modules["settings.config_cacti"] = cc
    home = types.ModuleType("home_settings")
    home.home_dir = farsi_dir
    sys.modules["home_settings"] = home


class Farsi:
    """FARSI's database, design construction and evaluation for one process."""

    def __init__(self, farsi_dir, work_dir):
        os.chdir(farsi_dir)
        import top.main_FARSI  # noqa: F401  (FARSI's import order sets up its config)
        from settings import config

        self.config = config
        config.NO_VIS = True
        config.latest_visualization = os.path.join(work_dir, "latest_visualization")
        config.check_point_folder = os.path.join(work_dir, "check_points")
        self.work_dir = work_dir
        self._dbs = {}

    def knobs(self):
        """The settings of FARSI's own what-if study (FARSI_what_ifs_with_params.py)."""
        freq = [1, 4, 6, 8]
        return {
            "ip_freq_correction_ratio": 1, "gpp_freq_correction_ratio": 1,
            "ip_spawn": {"ip_loop_unrolling": {"incr": 2, "max_spawn_ip": 17,
                                               "spawn_mode": "geometric"},
                         "ip_freq_range": freq},
            "mem_spawn": {"mem_freq_range": freq}, "ic_spawn": {"ic_freq_range": freq},
            "tech_node_SF": {"perf": 1, "energy": {"non_gpp": .064, "gpp": 1},
                             "area": {"non_mem": .0374, "mem": .07, "gpp": 1}},
            "base_budget_scaling": {"latency": 1, "power": 1, "area": 1},
            "queue_available_size": [1, 2, 4, 8, 16], "burst_size_options": [1024],
            "task_spawn": {"parallel_task_cnt": 2, "serial_task_cnt": 3},
        }

    def population(self, workload):
        return {"db_mode": "parse", "hw_graph_mode": "generated_from_scratch",
                "workloads": {workload}, "misc_knobs": self.knobs()}

    def hw_sampling(self):
        exact = {"latency": 1, "energy": 1, "area": 1, "one_over_area": 1}
        return {"mode": "exact", "population_size": 1, "reduction": "most_likely",
                "accuracy_percentage": {k: exact for k in ("sram", "dram", "ic", "gpp", "ip")}}

    def database(self, workload):
        if workload not in self._dbs:
            from DSE_utils import hill_climbing
            from specs.data_base import DataBase
            from specs.database_input import database_input_class

            db = DataBase(database_input_class(self.population(workload)), self.hw_sampling())
            dse = hill_climbing.HillClimbing(db, os.path.join(self.work_dir, "results"))
            self._dbs[workload] = (db, dse)
        return self._dbs[workload]

    # ----------------------------------------------------------- our format -> FARSI
    @staticmethod
    def task(db, name):
        for cand in (name, name + _SUFFIX, {"source": "souurce", "sink": "siink"}.get(name)):
            if cand is not None and db.get_task_by_name(cand) is not None:
                return db.get_task_by_name(cand)
        raise KeyError(f"task {name!r} is not in FARSI's database")

    def build(self, workload, d):
        from design_utils.components.hardware import HardwareGraph
        from design_utils.design import ExDesignPoint

        db, dse = self.database(workload)

        def widx(w):
            return round(math.log(w / 4.0, 2))

        def mult(block):
            return int(block.get("clock_mhz", 100)) // 100

        pes = []
        for i, pe in enumerate(d["pes"]):
            if pe["type"] == "accelerator":
                name = (f"{self.task(db, pe['task']).name}_IP0_{pe.get('unroll', 1)}_"
                        f"{mult(pe)}_p{i}")
            else:
                name = f"{pe['type']}_p{i}"
            pes.append(db.gen_one_block_by_name(name))
        mems = [db.gen_one_block_by_name(
            f"{'LMEM' if m['type'] == 'sram' else 'GMEM'}_{widx(m['width'])}_{mult(m)}_m{j}")
            for j, m in enumerate(d["memories"])]
        buses = [db.gen_one_block_by_name(f"LMEM_ic_{widx(b['width'])}_{mult(b)}_b{k}")
                 for k, b in enumerate(d["buses"])]
        for i, b in enumerate(d["pe_bus"]):
            pes[i].connect(buses[b])
        for j, b in enumerate(d["mem_bus"]):
            buses[b].connect(mems[j])
        for a, b in d.get("links", []):
            buses[a].connect(buses[b])
        tasks = [self.task(db, t) for t in d["tasks"]]
        for t, p in zip(tasks, d["task_pe"]):  # noqa: B905  (Python 3.7)
            pes[p].load_improved(t, t)
        for t, m in zip(tasks, d["task_mem"]):  # noqa: B905
            for child in t.get_children():
                mems[m].load_improved(t, child)
        ex = ExDesignPoint(HardwareGraph(pes[0], "user_generated"))
        dse.dh.load_tasks_to_read_mem_and_ic(ex)
        ex.sanity_check()
        ex.hardware_graph.update_graph_without_prunning()
        ex.hardware_graph.pipe_design()
        return ex

    # ----------------------------------------------------------- FARSI -> our format
    @staticmethod
    def to_ours(dp):
        blocks = dp.get_blocks()
        pes = [b for b in blocks if b.type == "pe"]
        mems = [b for b in blocks if b.type == "mem"]
        ics = [b for b in blocks if b.type == "ic"]
        index = {b.instance_name: k for k, b in enumerate(ics)}

        def bus_of(b):
            for n in b.neighs:
                if n.type == "ic":
                    return index[n.instance_name]
            return 0

        out = {"pes": [], "memories": [], "buses": [], "links": []}
        for b in pes:
            if b.subtype == "ip":
                task = [t for t in b.get_tasks_of_block() if not t.is_task_dummy()]
                out["pes"].append({"type": "accelerator", "task": _ours(task[0].name),
                                   "unroll": int(b.loop_itr_cnt),
                                   "clock_mhz": round(b.clock_freq / 1e6)})
            else:
                out["pes"].append({"type": b.instance_name_without_id.split("_")[0]})
        for b in mems:
            out["memories"].append({"type": b.subtype, "width": int(b.bus_width),
                                    "clock_mhz": round(b.clock_freq / 1e6)})
        for b in ics:
            out["buses"].append({"width": int(b.bus_width),
                                 "clock_mhz": round(b.clock_freq / 1e6)})
        for k, b in enumerate(ics):
            for n in b.neighs:
                if n.type == "ic" and index[n.instance_name] > k:
                    out["links"].append([k, index[n.instance_name]])
        out["pe_bus"] = [bus_of(b) for b in pes]
        out["mem_bus"] = [bus_of(b) for b in mems]
        task_pe, task_mem = {}, {}
        for k, b in enumerate(pes):
            for t in b.get_tasks_of_block():
                task_pe[_ours(t.name)] = k
        for k, b in enumerate(mems):
            for (t, direction) in b.get_tasks_dir_work_ratio():
                if direction == "write" or "souurce" in t.name:
                    task_mem.setdefault(_ours(t.name), k)
        for name in task_pe:
            task_mem.setdefault(name, 0)
        out["task_pe"], out["task_mem"] = task_pe, task_mem
        return out

    # --------------------------------------------------------------------- answers
    def evaluate(self, workload, ex):
        db, dse = self.database(workload)
        start = time.perf_counter()
        sim = dse.eval_design(ex, db)
        sim_s = time.perf_counter() - start
        return self.answer(sim, sim_s)

    def answer(self, sim, sim_s):
        st = sim.get_dp_stats()
        area = st.get_system_complex_area_stacked_dram()
        return {
            "latency_s": max(st.get_system_complex_metric("latency").values()),
            "power_w": st.get_system_complex_metric("power"),
            "energy_j": st.get_system_complex_metric("energy"),
            "area_mm2": st.get_system_complex_metric("area") * 1e6,
            "dram_area_mm2": area["dram"] * 1e6,
            "fits_budget": bool(st.fits_budget(1)),
            "sim_s": sim_s,
            "memory_bytes": [max(b.area_in_bytes_list) for b in sim.dp_rep.get_blocks()
                             if b.type == "mem"],
            "design": self.to_ours(sim.dp_rep),
        }

    def handle(self, req):
        op = req.get("op", "simulate")
        workload = req["workload"]
        if op == "simulate":
            return self.evaluate(workload, self.build(workload, req["design"]))
        if op == "start_design":
            _db, dse = self.database(workload)
            dse.gen_init_ex_dp()
            return self.evaluate(workload, dse.init_ex_dp)
        if op == "dse":
            return self.dse(workload, int(req["evaluations"]))
        raise ValueError(f"unknown op {op!r}")

    def dse(self, workload, evaluations):
        import top.main_FARSI as main
        from specs.database_input import database_input_class

        self.config.TOTAL_RUN_THRESHOLD = evaluations
        self.config.SA_depth = 10
        self.config.transformation_selection_mode = "arch-aware"
        start = time.perf_counter()
        handler = main.run_FARSI(os.path.join(self.work_dir, "dse_" + workload), "0",
                                 "simple_run", database_input_class(self.population(workload)),
                                 self.hw_sampling(), "generated_from_scratch")
        wall = time.perf_counter() - start
        out = self.answer(handler.dse.so_far_best_sim_dp, float("nan"))
        out.update({"dse_wall_s": wall, "evaluations": handler.dse.total_iteration_ctr,
                    "reason": handler.dse.reason_to_terminate})
        return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--farsi-dir", required=True, help="FARSI checkout")
    parser.add_argument("--cacti-dir", required=True,
                        help="directory with FARSI's CACTI binary 'cacti' and 'farsi_gen.cfg'")
    parser.add_argument("--work-dir", required=True, help="scratch directory (CACTI cache)")
    args = parser.parse_args()
    farsi_dir = os.path.abspath(args.farsi_dir)
    work_dir = os.path.abspath(args.work_dir)
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # FARSI and CACTI print to stdout; keep ours clean
    _install_settings(farsi_dir, os.path.abspath(args.cacti_dir), work_dir)
    farsi = Farsi(farsi_dir, work_dir)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            out = farsi.handle(json.loads(line))
        except Exception as exc:  # report and go on with the next request
            out = {"error": f"{type(exc).__name__}: {exc}",
                   "traceback": traceback.format_exc()}
        answers.write(json.dumps(out) + "\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
