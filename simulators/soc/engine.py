"""Execution of a task graph on a compiled SoC design: FARSI's model, event by event.

The model (FARSI's choices, read from its simulator; differences listed below):

* **Jobs.** Each task runs once per iteration; job ``(i, t)`` is task ``t`` of
  iteration ``i``. It is *ready* when every producer's job of the same iteration is done.
  A pseudo task (no instructions) completes the moment it is ready.
* **PEs.** A PE runs one job at a time (FARSI serialises the jobs of a PE). Among its
  ready jobs it starts the one that became ready first (ties: lower iteration, then
  graph order): first ready, first served.
* **Roofline per job.** A running job reads its inputs, computes and writes its outputs
  *at the same time*, at one rate set by its bottleneck: it progresses at
  ``min(1 / compute_s, min over its resources r of share_r / bytes_r)`` of its work per
  second, where ``compute_s`` is its compute time alone on the PE and ``bytes_r`` the
  bytes it moves through resource ``r``. Alone on an idle system a job therefore takes
  ``max(compute_s, bytes_r / bandwidth_r)``: data movement overlaps compute.
* **Sharing.** Resources are (memory, direction) and (bus, outgoing port, direction)
  channels (see :mod:`.structure`). A resource's bandwidth is split among the running
  jobs that use it in proportion to their weights (equal on a bus; on a memory, the
  size of the pieces each job moves, FARSI's "work units", see :mod:`.structure`); a
  share a job cannot use (its bottleneck is elsewhere) is not handed to the others.
  Rates change only when a job starts or ends.
* **Memory sizing.** When a job with work is ready, its output (all bytes of its
  out-edges) is allocated in its memory; it is freed when every consumer job of that
  output is done. The workload's input data (the outputs of the pseudo tasks without
  producers, FARSI's source) is held from the start to the end; other pseudo tasks hold
  nothing. A memory's capacity is the peak of its live bytes (rounded up by the library).
* **Result.** Latency is the time the last job ends. Between two events (a *phase*)
  every rate is constant; a job's energy is spent in proportion to its progress.
  FARSI's power is the peak over windows of phases: windows are closed after the first
  phase that overruns what is left of a :data:`POWER_WINDOW_S` budget, and the power of
  a window is its energy over its duration. The average power is energy / latency.

Where ours differs from FARSI's code (each a defect there, not a model choice):

* FARSI marks a job complete once 99% of its work is done when another job's event
  comes first, dropping up to 1% of it; here a job ends when its work is done.
* FARSI lets a newly ready job jump ahead of jobs already waiting for the same PE
  (its waiting queue is appended after the new arrivals); here the PE serves jobs in
  the order they became ready.
* FARSI frees a producer's output only if the consumer that ends last is still in
  its list of completed jobs, which it empties when it frees another producer, so a
  shared consumer can keep memory allocated until the end; here outputs are freed
  when their last consumer ends.
* FARSI's power windows skip zero-length phases but do not skip their index, so a
  window can be shifted against the phases it sums; here windows hold whole phases.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from archgym.simulators.soc.structure import CompiledDesign
from archgym.simulators.soc.taskgraph import TaskGraph

__all__ = ["POWER_WINDOW_S", "PowerWindow", "Schedule", "run"]

#: Length of FARSI's power-collection period (its ``config.PCP``, 10 ms).
POWER_WINDOW_S = 0.01

_EPS = 1e-12


@dataclass
class PowerWindow:
    """What happened in one power window.

    Attributes:
        duration_s: Length of the window (s).
        compute_energy_j: Energy of the PEs and buses in the window (J).
        read_bytes: Bytes read from each memory in the window.
        write_bytes: Bytes written to each memory in the window.
    """

    duration_s: float
    compute_energy_j: float
    read_bytes: list[float]
    write_bytes: list[float]


@dataclass
class Schedule:
    """Timing of one simulation.

    Attributes:
        latency_s: Time at which the last job ends (s).
        block_busy_s: Busy time of each block (PEs, buses, memories) (s).
        peak_live_bytes: Peak of the bytes held by each memory.
        windows: FARSI's power windows, in time order.
    """

    latency_s: float
    block_busy_s: list[float]
    peak_live_bytes: list[float]
    windows: list[PowerWindow] = field(default_factory=list)


def run(graph: TaskGraph, c: CompiledDesign, power_window_s: float = POWER_WINDOW_S
        ) -> Schedule:
    """Simulate ``graph`` on the compiled design ``c`` (see the module docstring)."""
    n_t = graph.n_tasks
    n_it = graph.iterations
    n_mem = len(c.memory_types)
    n_blocks = len(c.block_names)
    cap = c.capacity
    res_block = c.resource_block
    succs: list[list[int]] = [[] for _ in range(n_t)]
    preds: list[list[int]] = [[] for _ in range(n_t)]
    for s, d, _b in graph.edges:
        succs[s].append(d)
        preds[d].append(s)
    total = n_t * n_it
    waiting = [len(preds[t]) for t in range(n_t)] * n_it
    consumers_left = [len(succs[t]) for t in range(n_t)] * n_it
    live = [0.0] * n_mem
    peak = [0.0] * n_mem
    queues: list[list[tuple[float, int]]] = [[] for _ in range(c.n_pes)]
    running: list[int] = [-1] * c.n_pes
    remaining = [1.0] * c.n_pes  # fraction of the running job's work left
    busy = [0.0] * n_blocks
    windows: list[PowerWindow] = []
    win = PowerWindow(0.0, 0.0, [0.0] * n_mem, [0.0] * n_mem)
    budget = power_window_s
    now = 0.0
    done = 0
    is_pseudo = [not c.demands[t] and c.compute_s[t] <= 0 for t in range(n_t)]
    # what a job holds in its memory from the moment it is ready: the outputs of a task
    # with work (freed when their last consumer ends) and the workload's input data (the
    # outputs of the pseudo tasks without producers, held for the whole run)
    held = [c.out_bytes[t] if (not is_pseudo[t] or not preds[t]) else 0.0 for t in range(n_t)]
    freed = [held[t] if not is_pseudo[t] else 0.0 for t in range(n_t)]

    def finish(job: int, stack: list[int]) -> None:
        nonlocal done
        done += 1
        i, t = divmod(job, n_t)
        base = i * n_t
        for s in preds[t]:
            k = base + s
            consumers_left[k] -= 1
            if consumers_left[k] == 0 and freed[s] > 0:
                live[c.task_mem[s]] -= freed[s]
        for d in succs[t]:
            k = base + d
            waiting[k] -= 1
            if waiting[k] == 0:
                stack.append(k)

    def make_ready(stack: list[int]) -> None:
        while stack:
            job = stack.pop()
            t = job % n_t
            if held[t] > 0:
                m = c.task_mem[t]
                live[m] += held[t]
                if live[m] > peak[m]:
                    peak[m] = live[m]
            if is_pseudo[t]:
                finish(job, stack)
            else:
                heapq.heappush(queues[c.task_pe[t]], (now, job))

    make_ready([i * n_t + t for i in range(n_it) for t in range(n_t) if not preds[t]][::-1])
    n_res = len(cap)
    while done < total:
        for p in range(c.n_pes):
            if running[p] < 0 and queues[p]:
                running[p] = heapq.heappop(queues[p])[1]
                remaining[p] = 1.0
        active = [p for p in range(c.n_pes) if running[p] >= 0]
        if not active:  # pragma: no cover - every ready job is queued on some PE
            raise RuntimeError("SoC engine stalled: jobs remain but none can run")
        users = [0.0] * n_res  # sum of the running jobs' weights on each resource
        for p in active:
            for r, _b, w in c.demands[running[p] % n_t]:
                users[r] += w
        rates = []
        dt = float("inf")
        for p in active:
            t = running[p] % n_t
            rate = 1.0 / c.compute_s[t] if c.compute_s[t] > 0 else float("inf")
            for r, b, w in c.demands[t]:
                share = cap[r] * w / (users[r] * b)
                if share < rate:
                    rate = share
            rates.append(rate)
            left = remaining[p] / rate
            if left < dt:
                dt = left
        # account the phase [now, now + dt)
        if dt > 0:
            for p, rate in zip(active, rates, strict=True):
                t = running[p] % n_t
                frac = rate * dt
                win.compute_energy_j += frac * (c.compute_energy_j[t] + c.bus_energy_j[t])
                for m, b in c.mem_read_bytes[t]:
                    win.read_bytes[m] += frac * b
                for m, b in c.mem_write_bytes[t]:
                    win.write_bytes[m] += frac * b
                busy[p] += dt
            seen = set()
            for r in range(n_res):
                if users[r] and res_block[r] not in seen:
                    seen.add(res_block[r])
                    busy[res_block[r]] += dt
            win.duration_s += dt
            if dt > budget:
                windows.append(win)
                win = PowerWindow(0.0, 0.0, [0.0] * n_mem, [0.0] * n_mem)
                budget = power_window_s
            else:
                budget -= dt
        now += dt
        stack: list[int] = []
        for p, rate in zip(active, rates, strict=True):
            remaining[p] -= rate * dt
            if remaining[p] <= _EPS or remaining[p] / rate <= dt * 1e-12:
                job = running[p]
                running[p] = -1
                finish(job, stack)
        make_ready(stack)
    if win.duration_s > 0:
        windows.append(win)
    return Schedule(latency_s=now, block_busy_s=busy, peak_live_bytes=peak, windows=windows)
