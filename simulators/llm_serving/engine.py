"""The discrete-event serving loop (Numba): routing, batching, pipelining, completion.

:func:`simulate` plays a trace against ``R`` identical replicas. Events are
request arrivals and iteration completions; the loop always takes the earliest
(arrivals first on ties).

Arrival
    The router (:data:`.scheduler.ROUTINGS`) picks a replica, which queues the
    request and tries to launch an iteration.
Launch
    A replica with ``pp`` pipeline stages has ``pp`` lanes: up to ``pp``
    iterations in flight, each on a disjoint set of requests (as vLLM's
    virtual engines). A new iteration starts when a lane is free and the first
    stage has finished the previous one; the scheduler
    (:func:`.scheduler.form_batch`) chooses its batch and the operator model
    (:func:`.operators.iteration_time`) its latency and first-stage occupancy.
    With fewer batches than stages the pipeline idles (bubbles).
Completion
    Every prefill chunk advances its request; a request whose prompt is fully
    prefilled, and every decode, emits a token at the completion time. The
    first token sets the time to first token (TTFT); later ones record the
    time between tokens (TBT). A request that has emitted all its output
    tokens leaves and frees its KV blocks.

The kernel returns per-request first-token and completion times, the TBT gaps,
the count of preemptions, and the GPU-seconds spent executing (for energy).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from archgym.simulators.llm_serving.operators import iteration_time
from archgym.simulators.llm_serving.scheduler import (
    B_DECODE_CTX,
    B_DECODES,
    B_IDS,
    B_PAIRS,
    B_PREEMPTED,
    B_PREFILL_KV,
    B_PREFILL_TOKENS,
    B_SAMPLE,
    B_TOKENS,
    K_PREFILL,
    LANE_FREE,
    N_Q,
    N_R,
    Q_BLOCKS,
    Q_CHUNK,
    Q_CTX,
    Q_GEN,
    Q_KIND,
    Q_LANE,
    Q_OUTPUT,
    Q_PREFILLED,
    Q_PROMPT,
    Q_REPLICA,
    Q_STATUS,
    Q_TARGET,
    R_FREE,
    R_INFLIGHT,
    R_OUTSTANDING,
    R_RUNLEN,
    R_WLEN,
    S_DONE,
    S_WAITING,
    form_batch,
    push_back,
    remove_running,
)

__all__ = ["ERROR_STALLED", "simulate"]

#: Status of :func:`simulate`: 0 = every request finished; this = no event left
#: with requests unfinished (a scheduler that cannot make progress).
ERROR_STALLED = 1

_INF = math.inf


@nb.njit(cache=True)
def _complete(rq: np.ndarray, rep: np.ndarray, run: np.ndarray, lane_ids: np.ndarray,
              lane_len: np.ndarray, r: int, lane: int, now: float, first: np.ndarray,
              last: np.ndarray, done_t: np.ndarray, gaps: np.ndarray, n_gaps: int) -> tuple:
    finished = 0
    for k in range(lane_len[r, lane]):
        i = lane_ids[r, lane, k]
        rq[i, Q_LANE] = LANE_FREE
        emit = True
        if rq[i, Q_KIND] == K_PREFILL:
            rq[i, Q_PREFILLED] += rq[i, Q_CHUNK]
            rq[i, Q_CTX] += rq[i, Q_CHUNK]
            emit = rq[i, Q_PREFILLED] == rq[i, Q_TARGET]
        else:
            rq[i, Q_CTX] += 1
        if not emit:
            continue
        if rq[i, Q_GEN] == 0:
            first[i] = now
        else:
            gaps[n_gaps] = now - last[i]
            n_gaps += 1
        last[i] = now
        rq[i, Q_GEN] += 1
        if rq[i, Q_GEN] >= rq[i, Q_OUTPUT]:
            for j in range(rep[r, R_RUNLEN]):
                if run[r, j] == i:
                    remove_running(run, rep, r, j)
                    break
            rep[r, R_FREE] += rq[i, Q_BLOCKS]
            rq[i, Q_BLOCKS] = 0
            rq[i, Q_STATUS] = S_DONE
            rep[r, R_OUTSTANDING] -= 1
            done_t[i] = now
            finished += 1
    rep[r, R_INFLIGHT] -= lane_len[r, lane]
    lane_len[r, lane] = 0
    return finished, n_gaps


@nb.njit(cache=True)
def _try_launch(params: np.ndarray, cfg: np.ndarray, rq: np.ndarray, rep: np.ndarray,
                wq: np.ndarray, run: np.ndarray, lane_end: np.ndarray, lane_ids: np.ndarray,
                lane_len: np.ndarray, s0_free: np.ndarray, wake: np.ndarray, ids: np.ndarray,
                r: int, now: float, stats: np.ndarray) -> None:
    policy, max_batch, max_tokens, chunk, block, pp, gpus = (
        cfg[0], cfg[1], cfg[2], cfg[3], cfg[4], cfg[5], cfg[7])
    while True:
        lane = -1
        for k in range(pp):
            if lane_end[r, k] == _INF:
                lane = k
                break
        if lane < 0:
            return
        if rep[r, R_WLEN] == 0 and rep[r, R_RUNLEN] == rep[r, R_INFLIGHT]:
            return  # no work that is not already in flight
        if now < s0_free[r]:
            wake[r] = s0_free[r]
            return
        b = form_batch(policy, rq, rep, wq, run, r, ids, max_batch, max_tokens, chunk, block)
        stats[0] += b[B_PREEMPTED]
        n = int(b[B_IDS])
        if n == 0:
            return
        latency, stage = iteration_time(params, b[B_TOKENS], b[B_DECODES], b[B_DECODE_CTX],
                                        b[B_PAIRS], b[B_PREFILL_KV], b[B_PREFILL_TOKENS],
                                        b[B_SAMPLE])
        for k in range(n):
            i = ids[k]
            rq[i, Q_LANE] = lane
            lane_ids[r, lane, k] = i
        lane_len[r, lane] = n
        rep[r, R_INFLIGHT] += n
        lane_end[r, lane] = now + latency
        s0_free[r] = now + stage
        stats[1] += stage * gpus  # GPU-seconds: each of the pp x tp GPUs is busy ~stage
        stats[2] += 1


@nb.njit(cache=True)
def simulate(params: np.ndarray, cfg: np.ndarray, arrival: np.ndarray, prompt: np.ndarray,
             output: np.ndarray, blocks: int) -> tuple:
    """Run a trace through the replicas.

    Args:
        params: Operator-model parameters (:func:`.operators.iteration_params`).
        cfg: Integer configuration: ``[policy, max_batch_size, max_batched_tokens,
            chunk_size, block_size, pp, routing, gpus_per_replica, replicas]``.
        arrival: Arrival times (s), sorted.
        prompt: Prompt tokens per request.
        output: Output tokens per request.
        blocks: KV blocks per replica.

    Returns:
        ``(first, done, gaps, status, preemptions, gpu_seconds, iterations)``:
        first-token and completion time per request (s), the TBT gaps (s),
        0 or :data:`ERROR_STALLED`, preemptions, GPU-seconds executing, and
        iterations run.
    """
    n = arrival.shape[0]
    max_batch, pp, routing, replicas = cfg[1], cfg[5], cfg[6], cfg[8]
    rq = np.zeros((n, N_Q), dtype=np.int64)
    rq[:, Q_PROMPT] = prompt
    rq[:, Q_OUTPUT] = output
    rq[:, Q_LANE] = LANE_FREE
    rep = np.zeros((replicas, N_R), dtype=np.int64)
    rep[:, R_FREE] = blocks
    wq = np.zeros((replicas, n + 1), dtype=np.int64)
    run = np.zeros((replicas, max_batch + 1), dtype=np.int64)
    lane_end = np.full((replicas, pp), _INF)
    lane_ids = np.zeros((replicas, pp, max_batch + 1), dtype=np.int64)
    lane_len = np.zeros((replicas, pp), dtype=np.int64)
    s0_free = np.zeros(replicas)
    wake = np.full(replicas, _INF)
    next_event = np.full(replicas, _INF)
    ids = np.zeros(max_batch + 1, dtype=np.int64)
    first = np.full(n, np.nan)
    last = np.zeros(n)
    done_t = np.full(n, np.nan)
    gaps = np.empty(max(1, int(output.sum())))
    n_gaps = 0
    stats = np.zeros(3)  # preemptions, GPU-seconds, iterations
    next_arrival = 0
    finished = 0
    status = 0
    while finished < n:
        ta = arrival[next_arrival] if next_arrival < n else _INF
        tr = _INF
        rsel = -1
        for r in range(replicas):
            if next_event[r] < tr:
                tr = next_event[r]
                rsel = r
        if ta == _INF and tr == _INF:
            status = ERROR_STALLED
            break
        if ta <= tr:
            i = next_arrival
            next_arrival += 1
            if routing == 0:
                r = i % replicas
            else:
                r = 0
                for k in range(1, replicas):
                    if rep[k, R_OUTSTANDING] < rep[r, R_OUTSTANDING]:
                        r = k
            rq[i, Q_REPLICA] = r
            rq[i, Q_STATUS] = S_WAITING
            rq[i, Q_TARGET] = rq[i, Q_PROMPT]
            rep[r, R_OUTSTANDING] += 1
            push_back(wq, rep, r, i)
            now = ta
        else:
            r = rsel
            now = tr
            for k in range(pp):
                if lane_end[r, k] <= now:
                    lane_end[r, k] = _INF
                    done_k, n_gaps = _complete(rq, rep, run, lane_ids, lane_len, r, k, now,
                                               first, last, done_t, gaps, n_gaps)
                    finished += done_k
            if wake[r] <= now:
                wake[r] = _INF
        _try_launch(params, cfg, rq, rep, wq, run, lane_end, lane_ids, lane_len, s0_free, wake,
                    ids, r, now, stats)
        t = wake[r]
        for k in range(pp):
            if lane_end[r, k] < t:
                t = lane_end[r, k]
        next_event[r] = t
    return first, done_t, gaps[:n_gaps], status, int(stats[0]), stats[1], int(stats[2])
