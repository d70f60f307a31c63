"""Per-replica batch formation: vLLM, Orca and Sarathi-Serve scheduling policies.

Each iteration the replica's scheduler picks, among its requests that are not
already in flight in another pipeline stage, what runs next:

``vllm`` (continuous batching, prefill-prioritising; vLLM's default without
    chunked prefill)
    Admit waiting requests first-come-first-served while the batch stays
    within ``max_batch_size`` running requests and ``max_batched_tokens``
    prompt tokens and their prompts' KV blocks are free; if any were admitted
    the iteration prefills only them. Otherwise it decodes one token of every
    running request.
``orca`` (iteration-level batching, Yu et al., OSDI 2022)
    Decode every running request and, in the same iteration, admit and fully
    prefill waiting requests within the same limits (a mixed batch).
``sarathi`` (chunked prefill, Agrawal et al., OSDI 2024)
    A token budget of ``chunk_size`` per iteration: decodes first, then
    chunks of partially prefilled requests, then chunks of newly admitted
    ones — so a long prompt never stalls the decodes for long.

A single prompt longer than the token budget runs alone (vLLM would refuse
it without chunked prefill). Memory follows vLLM's paged KV cache
(:mod:`.memory`): admission reserves the prompt's blocks; a decode step that
crosses a block boundary takes one more block and, when none is free,
preempts the most recently admitted running request that is not in flight
(its blocks are freed and it is later recomputed from its prompt and the
tokens it has generated, vLLM's recompute preemption); a request with no
such victim preempts itself.

Policy and routing codes are the integers below; the Numba kernels take them.
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["POLICIES", "ROUTINGS", "form_batch"]

#: Scheduler name -> code used by the kernels.
POLICIES = {"vllm": 0, "orca": 1, "sarathi": 2}
#: Router name -> code: ``round_robin`` sends request i to replica i mod R;
#: ``least_outstanding`` to the replica with the fewest unfinished requests.
ROUTINGS = {"round_robin": 0, "least_outstanding": 1}

# Columns of the per-request integer state ``rq``.
Q_PROMPT, Q_OUTPUT, Q_REPLICA, Q_STATUS, Q_TARGET, Q_PREFILLED = 0, 1, 2, 3, 4, 5
Q_CTX, Q_GEN, Q_BLOCKS, Q_LANE, Q_KIND, Q_CHUNK = 6, 7, 8, 9, 10, 11
N_Q = 12
# Request status.
S_PENDING, S_WAITING, S_RUNNING, S_DONE = 0, 1, 2, 3
# Lane value of a request chosen for the batch being formed (not yet launched).
LANE_FREE, LANE_PICKED = -1, -2
# Batch entry kinds.
K_PREFILL, K_DECODE = 0, 1
# Columns of the per-replica integer state ``rep``.
R_WHEAD, R_WLEN, R_RUNLEN, R_FREE, R_OUTSTANDING, R_INFLIGHT = 0, 1, 2, 3, 4, 5
N_R = 6
# Entries of the batch summary returned by form_batch.
B_IDS, B_TOKENS, B_DECODES, B_DECODE_CTX, B_PAIRS = 0, 1, 2, 3, 4
B_PREFILL_KV, B_PREFILL_TOKENS = 5, 6
B_SAMPLE, B_PREEMPTED = 7, 8
N_B = 9


@nb.njit(cache=True)
def blocks_for(tokens: int, block: int) -> int:
    """KV blocks that hold ``tokens`` tokens."""
    return (tokens + block - 1) // block


@nb.njit(cache=True)
def push_front(wq: np.ndarray, rep: np.ndarray, r: int, i: int) -> None:
    """Put request ``i`` at the head of replica ``r``'s waiting queue."""
    cap = wq.shape[1]
    head = (rep[r, R_WHEAD] - 1 + cap) % cap
    wq[r, head] = i
    rep[r, R_WHEAD] = head
    rep[r, R_WLEN] += 1


@nb.njit(cache=True)
def push_back(wq: np.ndarray, rep: np.ndarray, r: int, i: int) -> None:
    """Append request ``i`` to replica ``r``'s waiting queue."""
    cap = wq.shape[1]
    wq[r, (rep[r, R_WHEAD] + rep[r, R_WLEN]) % cap] = i
    rep[r, R_WLEN] += 1


@nb.njit(cache=True)
def remove_running(run: np.ndarray, rep: np.ndarray, r: int, k: int) -> None:
    """Remove entry ``k`` of replica ``r``'s running list (keeping admission order)."""
    n = rep[r, R_RUNLEN]
    for j in range(k, n - 1):
        run[r, j] = run[r, j + 1]
    rep[r, R_RUNLEN] = n - 1


@nb.njit(cache=True)
def preempt(rq: np.ndarray, rep: np.ndarray, wq: np.ndarray, run: np.ndarray, r: int,
            k: int) -> None:
    """Preempt running entry ``k`` of replica ``r``: free its blocks, requeue it at the head."""
    i = run[r, k]
    remove_running(run, rep, r, k)
    rep[r, R_FREE] += rq[i, Q_BLOCKS]
    rq[i, Q_BLOCKS] = 0
    rq[i, Q_CTX] = 0
    rq[i, Q_PREFILLED] = 0
    rq[i, Q_TARGET] = rq[i, Q_PROMPT] + rq[i, Q_GEN]
    rq[i, Q_STATUS] = S_WAITING
    rq[i, Q_LANE] = LANE_FREE
    push_front(wq, rep, r, i)


@nb.njit(cache=True)
def _pick_prefill(rq: np.ndarray, i: int, c: int, ids: np.ndarray, b: np.ndarray) -> None:
    p = rq[i, Q_PREFILLED]
    ids[int(b[B_IDS])] = i
    b[B_IDS] += 1
    rq[i, Q_LANE] = LANE_PICKED
    rq[i, Q_KIND] = K_PREFILL
    rq[i, Q_CHUNK] = c
    b[B_TOKENS] += c
    b[B_PAIRS] += c * (p + (c + 1.0) / 2.0)
    b[B_PREFILL_KV] += p + c
    b[B_PREFILL_TOKENS] += c
    if p + c == rq[i, Q_TARGET]:
        b[B_SAMPLE] += 1


@nb.njit(cache=True)
def _admit(rq: np.ndarray, rep: np.ndarray, wq: np.ndarray, run: np.ndarray, r: int,
           ids: np.ndarray, b: np.ndarray, max_batch: int, budget: int, block: int,
           chunked: bool) -> int:
    """Admit waiting requests FCFS while they fit; returns how many were admitted."""
    admitted = 0
    cap = wq.shape[1]
    while rep[r, R_WLEN] > 0 and rep[r, R_RUNLEN] < max_batch:
        i = wq[r, rep[r, R_WHEAD]]
        target = rq[i, Q_TARGET]
        left = budget - int(b[B_TOKENS])
        if chunked:
            if left <= 0:
                break
            c = min(target, left)
        else:
            if target > left and b[B_IDS] > 0:
                break
            c = target
        need = blocks_for(target, block)
        if need > rep[r, R_FREE]:
            break
        rep[r, R_WHEAD] = (rep[r, R_WHEAD] + 1) % cap
        rep[r, R_WLEN] -= 1
        run[r, rep[r, R_RUNLEN]] = i
        rep[r, R_RUNLEN] += 1
        rep[r, R_FREE] -= need
        rq[i, Q_BLOCKS] = need
        rq[i, Q_STATUS] = S_RUNNING
        _pick_prefill(rq, i, c, ids, b)
        admitted += 1
    return admitted


@nb.njit(cache=True)
def _decodes(rq: np.ndarray, rep: np.ndarray, wq: np.ndarray, run: np.ndarray, r: int,
             ids: np.ndarray, b: np.ndarray, block: int) -> None:
    """Add one decode token of every ready running request, preempting for blocks."""
    k = 0
    while k < rep[r, R_RUNLEN]:
        i = run[r, k]
        if rq[i, Q_LANE] != LANE_FREE or rq[i, Q_PREFILLED] < rq[i, Q_TARGET]:
            k += 1
            continue
        need = blocks_for(rq[i, Q_CTX] + 1, block) - rq[i, Q_BLOCKS]
        preempted_self = False
        while need > rep[r, R_FREE]:
            victim = -1
            for j in range(rep[r, R_RUNLEN] - 1, k, -1):
                if rq[run[r, j], Q_LANE] == LANE_FREE:
                    victim = j
                    break
            if victim < 0:
                preempt(rq, rep, wq, run, r, k)
                b[B_PREEMPTED] += 1
                preempted_self = True
                break
            preempt(rq, rep, wq, run, r, victim)
            b[B_PREEMPTED] += 1
        if preempted_self:
            continue
        if need > 0:
            rep[r, R_FREE] -= need
            rq[i, Q_BLOCKS] += need
        ids[int(b[B_IDS])] = i
        b[B_IDS] += 1
        rq[i, Q_LANE] = LANE_PICKED
        rq[i, Q_KIND] = K_DECODE
        rq[i, Q_CHUNK] = 1
        b[B_TOKENS] += 1
        b[B_DECODES] += 1
        b[B_DECODE_CTX] += rq[i, Q_CTX] + 1
        b[B_SAMPLE] += 1
        k += 1


@nb.njit(cache=True)
def _partial_prefills(rq: np.ndarray, rep: np.ndarray, run: np.ndarray, r: int,
                      ids: np.ndarray, b: np.ndarray, budget: int) -> None:
    for k in range(rep[r, R_RUNLEN]):
        left = budget - int(b[B_TOKENS])
        if left <= 0:
            return
        i = run[r, k]
        if rq[i, Q_LANE] != LANE_FREE or rq[i, Q_PREFILLED] >= rq[i, Q_TARGET]:
            continue
        _pick_prefill(rq, i, min(rq[i, Q_TARGET] - rq[i, Q_PREFILLED], left), ids, b)


@nb.njit(cache=True)
def form_batch(policy: int, rq: np.ndarray, rep: np.ndarray, wq: np.ndarray, run: np.ndarray,
               r: int, ids: np.ndarray, b: np.ndarray, max_batch: int, max_tokens: int,
               chunk_size: int, block: int) -> None:
    """Choose the next batch of replica ``r`` (see the module docstring).

    The chosen requests are written to ``ids`` and marked ``LANE_PICKED``;
    prefill entries carry their chunk in ``rq[:, Q_CHUNK]``. The batch summary
    goes to ``b`` (``B_*`` slots, overwritten): entries, tokens, decodes,
    decode context, causal prefill pairs, prefill KV tokens, prefill tokens,
    sampled tokens and preemptions made while forming it.
    """
    b[:] = 0.0
    if policy == 0:
        if _admit(rq, rep, wq, run, r, ids, b, max_batch, max_tokens, block, False) == 0:
            _decodes(rq, rep, wq, run, r, ids, b, block)
            if b[B_IDS] == 0 and b[B_PREEMPTED] > 0:  # memory was freed: admit instead
                _admit(rq, rep, wq, run, r, ids, b, max_batch, max_tokens, block, False)
    elif policy == 1:
        _decodes(rq, rep, wq, run, r, ids, b, block)
        _admit(rq, rep, wq, run, r, ids, b, max_batch, max_tokens, block, False)
    else:
        _decodes(rq, rep, wq, run, r, ids, b, block)
        _partial_prefills(rq, rep, run, r, ids, b, chunk_size)
        _admit(rq, rep, wq, run, r, ids, b, max_batch, chunk_size, block, True)
