"""Discrete-event execution of a task graph on a compiled SoC design.

The model:

* **Jobs.** Each task runs once per iteration; job ``(i, t)`` is task ``t`` of
  iteration ``i``. It may start when every producer's job of the same iteration is done.
* **PEs.** A PE runs one job at a time, in a static order: its jobs sorted by
  (iteration, topological position). Iterations therefore pipeline across PEs (a PE
  may start iteration ``i + 1`` while another PE still works on iteration ``i``), and
  the schedule never depends on timing, only on the mapping.
* **Phases.** A started job first reads its inputs (communication phase), then
  computes (compute phase); the PE is busy for both. The producer's output is assumed
  to be written to its memory while it computes (not modelled separately).
* **Transfers.** Each input edge with ``bytes > 0`` is a transfer from the producer's
  memory over the buses on the shortest bus path to the consumer's PE. It first waits
  the path's hop latency, then moves its bytes. Concurrent transfers share every
  resource (bus or memory) fairly: at any instant a transfer's rate is
  ``min over its resources r of capacity_r / n_r``, with ``n_r`` the number of transfers
  moving bytes through ``r``. Rates are recomputed at every event.
* **Limitation.** Fair sharing is not monotone in general: with several PEs, a wider
  bus can let one job start a transfer earlier, which then shares a resource with
  another job's transfer it used to miss. In 7,980 random single-bus-doubling trials on
  synthetic graphs, 3 designs (all pipelined over 2-3 iterations on 3-6 PEs) got slower,
  by at most 0.06%. With one PE (a job's transfers always start together) more
  bandwidth never increases latency; the tests assert that.
* **Result.** Latency is the time the last job ends; a block's utilisation is the
  fraction of that time it was busy (a PE running a job, a bus or memory moving bytes).
"""

from __future__ import annotations

from dataclasses import dataclass

from archgym.simulators.soc.structure import CompiledDesign
from archgym.simulators.soc.taskgraph import TaskGraph

__all__ = ["Schedule", "run"]


@dataclass(frozen=True)
class Schedule:
    """Timing of one simulation.

    Attributes:
        latency_s: Time at which the last job ends (s).
        pe_busy_s: Busy time of each PE (s).
        resource_busy_s: Time each resource (buses, then memories) moved bytes (s).
    """

    latency_s: float
    pe_busy_s: list[float]
    resource_busy_s: list[float]


def run(graph: TaskGraph, c: CompiledDesign) -> Schedule:
    """Simulate ``graph`` on the compiled design ``c`` (see the module docstring)."""
    n_t = graph.n_tasks
    n_it = graph.iterations
    n_res = len(c.capacity)
    cap = c.capacity
    preds: list[list[int]] = [[] for _ in range(n_t)]
    succs: list[list[int]] = [[] for _ in range(n_t)]
    for e, (s, d, nbytes) in enumerate(graph.edges):
        succs[s].append(d)
        if nbytes > 0:
            preds[d].append(e)
    indeg = [0] * n_t
    for _s, d, _ in graph.edges:
        indeg[d] += 1
    edge_bytes = [b for _, _, b in graph.edges]
    queues: list[list[int]] = [[] for _ in range(c.n_pes)]
    for i in range(n_it):
        for t in range(n_t):
            queues[c.task_pe[t]].append(i * n_t + t)
    waiting = indeg * n_it
    head = [0] * c.n_pes
    running = [-1] * c.n_pes
    started = [0.0] * c.n_pes
    pe_busy = [0.0] * c.n_pes
    res_busy = [0.0] * n_res
    reads_left = [0] * (n_t * n_it)
    computing: list[list[float]] = []  # [end_time, job]
    # transfer: [remaining bytes, flow start time, job, resources]
    transfers: list[list] = []
    now = 0.0
    done = 0
    total = n_t * n_it
    inf = float("inf")
    while True:
        # start every idle PE whose next job is ready
        for p in range(c.n_pes):
            if running[p] < 0 and head[p] < len(queues[p]):
                job = queues[p][head[p]]
                if waiting[job] == 0:
                    running[p] = job
                    started[p] = now
                    t = job % n_t
                    n_reads = 0
                    for e in preds[t]:
                        transfers.append([edge_bytes[e], now + c.edge_latency_s[e], job,
                                          c.edge_resources[e]])
                        n_reads += 1
                    reads_left[job] = n_reads
                    if n_reads == 0:
                        computing.append([now + c.task_time_s[t], job])
        if done == total:
            break
        # rates of the transfers moving bytes now
        count = [0] * n_res
        flowing = []
        for tr in transfers:
            if tr[1] <= now:
                flowing.append(tr)
                for r in tr[3]:
                    count[r] += 1
        t_next = inf
        for end, _job in computing:
            if end < t_next:
                t_next = end
        for tr in transfers:
            if now < tr[1] < t_next:
                t_next = tr[1]
        rates = []
        finishes = []
        for tr in flowing:
            rate = min(cap[r] / count[r] for r in tr[3])
            rates.append(rate)
            finish = now + tr[0] / rate
            finishes.append(finish)
            if finish < t_next:
                t_next = finish
        if t_next == inf:  # pragma: no cover - the static order is deadlock-free
            raise RuntimeError("SoC engine stalled: no event pending before every job ended")
        prev = now
        dt = t_next - now
        if dt > 0:
            for r in range(n_res):
                if count[r]:
                    res_busy[r] += dt
        now = t_next
        # finish transfers
        if flowing:
            keep = []
            for tr, rate, finish in zip(flowing, rates, finishes, strict=True):
                if finish <= now:
                    job = tr[2]
                    reads_left[job] -= 1
                    if reads_left[job] == 0:
                        computing.append([now + c.task_time_s[job % n_t], job])
                else:
                    tr[0] -= rate * dt
                    keep.append(tr)
            keep.extend(tr for tr in transfers if tr[1] > prev)
            transfers = keep
        # finish computations
        if computing:
            still = []
            for item in computing:
                if item[0] <= now:
                    job = int(item[1])
                    t = job % n_t
                    p = c.task_pe[t]
                    pe_busy[p] += now - started[p]
                    running[p] = -1
                    head[p] += 1
                    done += 1
                    base = job - t
                    for d in succs[t]:
                        waiting[base + d] -= 1
                else:
                    still.append(item)
            computing = still
    return Schedule(latency_s=now, pe_busy_s=pe_busy, resource_busy_s=res_busy)
