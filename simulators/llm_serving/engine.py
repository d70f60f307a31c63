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

from archgym.simulators.llm_serving.operators import (
    P_LAYERS,
    decode_attention_time,
    iteration_time,
)
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
    N_B,
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

__all__ = ["ERROR_STALLED", "HIST_BINS", "HIST_MIN_S", "HIST_RATIO", "histogram_percentiles",
           "simulate"]

#: Status of :func:`simulate`: 0 = every request finished; this = no event left
#: with requests unfinished (a scheduler that cannot make progress).
ERROR_STALLED = 1

_INF = math.inf


#: Histogram of the TBT gaps: log-spaced bins of relative width HIST_RATIO - 1 (0.05%)
#: from HIST_MIN_S up; percentiles from it are within 0.05% of the exact ones.
HIST_MIN_S = 1e-7
HIST_RATIO = 1.0005
HIST_BINS = 55_000  # up to 1e-7 x 1.0005^55000 ~ 9e4 s
_LOG_RATIO = math.log(HIST_RATIO)


@nb.njit(cache=True)
def _record_gap(gaps: np.ndarray, counts: np.ndarray, n_gaps: int, value: float,
                count: int, hist: np.ndarray) -> int:
    """Record ``count`` gaps of ``value``: run-length coded (equal neighbours merge) and binned."""
    k = int(math.log(max(value, HIST_MIN_S) / HIST_MIN_S) / _LOG_RATIO)
    hist[min(k, HIST_BINS - 1)] += count
    if n_gaps > 0 and gaps[n_gaps - 1] == value:
        counts[n_gaps - 1] += count
        return n_gaps
    gaps[n_gaps] = value
    counts[n_gaps] = count
    return n_gaps + 1


@nb.njit(cache=True)
def _complete(rq: np.ndarray, rep: np.ndarray, run: np.ndarray, lane_ids: np.ndarray,
              lane_len: np.ndarray, r: int, lane: int, now: float, first: np.ndarray,
              last: np.ndarray, done_t: np.ndarray, gaps: np.ndarray, counts: np.ndarray,
              n_gaps: int, hist: np.ndarray) -> tuple:
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
            n_gaps = _record_gap(gaps, counts, n_gaps, now - last[i], 1, hist)
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
def _fast_forward(params: np.ndarray, rq: np.ndarray, rep: np.ndarray, ids: np.ndarray, n: int,
                  b: np.ndarray, block: int, r: int, now: float, latency: float,
                  next_arrival: float, last: np.ndarray, gaps: np.ndarray, counts: np.ndarray,
                  n_gaps: int, hist: np.ndarray, stats: np.ndarray, gpus: int) -> tuple:
    """Run consecutive identical decode iterations of ``ids`` without returning to the loop.

    Called when the replica (one pipeline stage) decodes every request it
    holds and has no waiting request: until the next arrival anywhere, the
    first completion, or a decode step that needs more KV blocks than are
    free, every iteration decodes the same requests, so each is committed at
    once (tokens and gaps recorded at their times). The last iteration is
    left in flight for the event loop. Returns its start time, its latency
    and the updated gap count.
    """
    steps_left = 1 << 62
    for k in range(n):
        i = ids[k]
        steps_left = min(steps_left, rq[i, Q_OUTPUT] - rq[i, Q_GEN])
    start = now
    decode_ctx = b[B_DECODE_CTX]
    step = 0
    while step < steps_left - 1:
        end = start + latency
        if not end < next_arrival:
            break
        need = 0
        for k in range(n):
            i = ids[k]
            if (rq[i, Q_CTX] + 2 + block - 1) // block > rq[i, Q_BLOCKS]:
                need += 1
        if need > rep[r, R_FREE]:
            break
        for k in range(n):  # commit this step: its token is emitted at `end`
            i = ids[k]
            n_gaps = _record_gap(gaps, counts, n_gaps, end - last[i], 1, hist)
            last[i] = end
            rq[i, Q_GEN] += 1
            rq[i, Q_CTX] += 1
            if (rq[i, Q_CTX] + 1 + block - 1) // block > rq[i, Q_BLOCKS]:
                rq[i, Q_BLOCKS] += 1
        rep[r, R_FREE] -= need
        # only decode attention changes: every request attends to one more token
        latency += params[P_LAYERS] * (
            decode_attention_time(params, b[B_DECODES], decode_ctx + n)
            - decode_attention_time(params, b[B_DECODES], decode_ctx))
        decode_ctx += n
        stats[1] += latency * gpus
        stats[2] += 1
        start = end
        step += 1
    return start, latency, n_gaps


@nb.njit(cache=True)
def _try_launch(params: np.ndarray, cfg: np.ndarray, rq: np.ndarray, rep: np.ndarray,
                wq: np.ndarray, run: np.ndarray, lane_end: np.ndarray, lane_ids: np.ndarray,
                lane_len: np.ndarray, s0_free: np.ndarray, wake: np.ndarray, ids: np.ndarray,
                b: np.ndarray, r: int, now: float, next_arrival: float, last: np.ndarray,
                gaps: np.ndarray, counts: np.ndarray, n_gaps: int, hist: np.ndarray,
                stats: np.ndarray) -> int:
    policy, max_batch, max_tokens, chunk, block, pp, gpus = (
        cfg[0], cfg[1], cfg[2], cfg[3], cfg[4], cfg[5], cfg[7])
    while True:
        lane = -1
        for k in range(pp):
            if lane_end[r, k] == _INF:
                lane = k
                break
        if lane < 0:
            return n_gaps
        if rep[r, R_WLEN] == 0 and rep[r, R_RUNLEN] == rep[r, R_INFLIGHT]:
            return n_gaps  # no work that is not already in flight
        if now < s0_free[r]:
            wake[r] = s0_free[r]
            return n_gaps
        form_batch(policy, rq, rep, wq, run, r, ids, b, max_batch, max_tokens, chunk, block)
        stats[0] += b[B_PREEMPTED]
        n = int(b[B_IDS])
        if n == 0:
            return n_gaps
        latency, stage = iteration_time(params, b[B_TOKENS], b[B_DECODES], b[B_DECODE_CTX],
                                        b[B_PAIRS], b[B_PREFILL_KV], b[B_PREFILL_TOKENS],
                                        b[B_SAMPLE])
        stats[1] += stage * gpus  # GPU-seconds: each of the pp x tp GPUs is busy ~stage
        stats[2] += 1
        start = now
        if (pp == 1 and b[B_PREFILL_TOKENS] == 0.0 and b[B_PREEMPTED] == 0.0
                and rep[r, R_WLEN] == 0 and n == rep[r, R_RUNLEN]):
            start, latency, n_gaps = _fast_forward(params, rq, rep, ids, n, b, block, r, now,
                                                   latency, next_arrival, last, gaps, counts,
                                                   n_gaps, hist, stats, gpus)
            stage = latency
        for k in range(n):
            i = ids[k]
            rq[i, Q_LANE] = lane
            lane_ids[r, lane, k] = i
        lane_len[r, lane] = n
        rep[r, R_INFLIGHT] += n
        lane_end[r, lane] = start + latency
        s0_free[r] = start + stage


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
        ``(first, done, gaps, counts, hist, status, preemptions, gpu_seconds,
        iterations)``: first-token and completion time per request (s), the
        TBT gaps (s) run-length coded (``counts[j]`` gaps of ``gaps[j]``) and
        binned (``hist``, see :data:`HIST_RATIO`), 0 or :data:`ERROR_STALLED`,
        preemptions, GPU-seconds executing, and iterations run.
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
    b = np.zeros(N_B)
    first = np.full(n, np.nan)
    last = np.zeros(n)
    done_t = np.full(n, np.nan)
    gaps = np.empty(max(1, int(output.sum())))
    counts = np.empty(gaps.shape[0], dtype=np.int64)
    hist = np.zeros(HIST_BINS, dtype=np.int64)
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
                                               first, last, done_t, gaps, counts, n_gaps,
                                               hist)
                    finished += done_k
            if wake[r] <= now:
                wake[r] = _INF
        upcoming = arrival[next_arrival] if next_arrival < n else _INF
        n_gaps = _try_launch(params, cfg, rq, rep, wq, run, lane_end, lane_ids, lane_len,
                             s0_free, wake, ids, b, r, now, upcoming, last, gaps, counts,
                             n_gaps, hist, stats)
        t = wake[r]
        for k in range(pp):
            if lane_end[r, k] < t:
                t = lane_end[r, k]
        next_event[r] = t
    return (first, done_t, gaps[:n_gaps].copy(), counts[:n_gaps].copy(), hist, status,
            int(stats[0]), stats[1], int(stats[2]))


def histogram_percentiles(hist: np.ndarray, q: list[float]) -> np.ndarray:
    """Percentiles ``q`` (0-100) of the gaps binned in ``hist`` (s).

    Each percentile is the geometric middle of the bin that holds the
    ``q``-th gap in sorted order (the linear rank ``q/100 x (N - 1)`` of
    ``np.percentile``), so it is within a factor ``sqrt(HIST_RATIO)`` of it.
    """
    total = int(hist.sum())
    if total == 0:
        return np.zeros(len(q))
    ends = np.cumsum(hist)
    rank = np.rint(np.asarray(q, dtype=np.float64) / 100.0 * (total - 1)).astype(np.int64)
    k = np.searchsorted(ends, rank, side="right")
    return HIST_MIN_S * HIST_RATIO ** (k + 0.5)
