"""The compiled controller + device loop (Numba, no Python objects inside).

One call simulates one channel from the first request to the last column
command. The loop is event-driven: when nothing can happen in the current
clock it jumps to the earliest clock at which something can (a request
arrives, a timing constraint expires, a refresh falls due, a response frees
an arbiter slot). See :mod:`archgym.simulators.dram.simulator` for the model.

Arrays in, arrays out; time is in memory clocks.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from archgym.simulators.dram.commands import ACT, PRE, PREA, RD, RDA, REF, WR, WRA
from archgym.simulators.dram.space import (
    ARB_REORDER,
    ARB_SIMPLE,
    BUFFER_BANKWISE,
    BUFFER_READ_WRITE,
    BUFFER_SHARED,
    K_ARBITER,
    K_BUFFER,
    K_BUFFER_SIZE,
    K_MAX_ACTIVE,
    K_MAX_POSTPONED,
    K_MAX_PULLEDIN,
    K_PAGE,
    K_REFRESH,
    K_RESP_QUEUE,
    K_SCHED,
    PAGE_CLOSED,
    PAGE_CLOSED_ADAPTIVE,
    PAGE_OPEN_ADAPTIVE,
    REFRESH_ALL_BANK,
    RESP_FIFO,
    SCHED_FIFO,
    SCHED_FRFCFS_GRP,
)

__all__ = [
    "ERROR_STALLED",
    "N_COUNTS",
    "SLOT_ERROR",
    "SLOT_ITERATIONS",
    "SLOT_MAX_OWED",
    "simulate",
]

# timing indices (memspec.TIMING_KEYS order)
_CL, _CWL, _RCD, _RP, _RAS, _RC, _RTP, _WR, _CCDS, _CCDL = range(10)
_RRDS, _RRDL, _WTRS, _WTRL, _FAW, _RFC, _REFI, _RTRS = range(10, 18)
# Slots of the ``counts`` result: command counts by command code (0-7), then these.
SLOT_MAX_OWED = 8  #: largest number of due REFs outstanding at once
SLOT_ERROR = 9  #: 0, or one of the ERROR_* codes
SLOT_ITERATIONS = 10  #: loop iterations (a cost measure)
N_COUNTS = 11
ERROR_STALLED = 2  #: no event was pending before every request was served
_NEG = -(1 << 40)
_INF = 1 << 62


@njit(cache=True)
def _grow(a: np.ndarray) -> np.ndarray:
    """A copy of the 1-D ``a`` with twice the length (the new entries zero)."""
    out = np.zeros(2 * a.shape[0], a.dtype)
    out[: a.shape[0]] = a
    return out


@njit(cache=True)
def _grow_rows(a: np.ndarray) -> np.ndarray:
    """A copy of the 2-D ``a`` with twice the rows (the new rows zero)."""
    out = np.zeros((2 * a.shape[0], a.shape[1]), a.dtype)
    out[: a.shape[0]] = a
    return out


@njit(cache=True, inline="always")
def _heap_push(heap: np.ndarray, size: int, value: np.int64) -> int:
    i = size
    heap[i] = value
    while i > 0:
        p = (i - 1) >> 1
        if heap[p] <= heap[i]:
            break
        heap[p], heap[i] = heap[i], heap[p]
        i = p
    return size + 1


@njit(cache=True, inline="always")
def _heap_pop(heap: np.ndarray, size: int) -> int:
    size -= 1
    heap[0] = heap[size]
    i = 0
    while True:
        lo, c = i, 2 * i + 1
        if c < size and heap[c] < heap[lo]:
            lo = c
        if c + 1 < size and heap[c + 1] < heap[lo]:
            lo = c + 1
        if lo == i:
            break
        heap[lo], heap[i] = heap[i], heap[lo]
        i = lo
    return size


@njit(cache=True)
def simulate(ts, is_wr, rank, bgroup, bank, row, tm, nranks, nbg, bpr, design, log_cap):
    """Run the controller on decoded requests.

    Args:
        ts: Arrival clock per request (non-decreasing int64).
        is_wr: 1 for a write, 0 for a read (int8).
        rank, bgroup, bank, row: Decoded fields; ``bank`` is the flat bank
            index ``rank * bpr + bank_in_rank``.
        tm: Timings (int64, memspec TIMING_KEYS order).
        nranks, nbg, bpr: Ranks, bank groups per rank, banks per rank.
        design: Knob vector (design.KNOBS order, labels as indices).
        log_cap: Initial command-log capacity (0 disables the log; it grows
            as needed).

    Returns:
        ``(accept, complete, klass, counts, int_start, int_end, int_rank, log)``:
        per request the acceptance and data-end clocks and its class (0 hit,
        1 miss, 2 conflict); ``counts`` (command counts, then the ``SLOT_*``
        entries); the rows-open intervals (start, end, rank) for the energy
        model; the command log, shape ``(n_log, 5)``: clock, command, flat
        bank or rank, row, request.
    """
    n = ts.shape[0]
    nb = nranks * bpr
    bl2 = 4
    page, sched = design[K_PAGE], design[K_SCHED]
    bufk, bsize = design[K_BUFFER], design[K_BUFFER_SIZE]
    respq, refresh_on = design[K_RESP_QUEUE], design[K_REFRESH] == REFRESH_ALL_BANK
    maxpost, maxpull = design[K_MAX_POSTPONED], design[K_MAX_PULLEDIN]
    arb, limit = design[K_ARBITER], design[K_MAX_ACTIVE]
    if arb == ARB_SIMPLE:
        limit = _INF
    in_order = respq == RESP_FIFO or arb == ARB_REORDER
    qcap = 2 * bsize if bufk == BUFFER_READ_WRITE else bsize

    accept = np.full(n, -1, np.int64)
    complete = np.full(n, -1, np.int64)
    klass = np.zeros(n, np.int8)
    counts = np.zeros(N_COUNTS, np.int64)
    icap = 2 * n + 64 * nb + 64
    int_start = np.zeros(icap, np.int64)
    int_end = np.zeros(icap, np.int64)
    int_rank = np.zeros(icap, np.int64)
    n_int = 0
    log = np.zeros((max(log_cap, 1), 5), np.int64)
    n_log = 0

    open_row = np.full(nb, -1, np.int64)
    act_ready = np.full(nb, _NEG, np.int64)
    col_ready = np.full(nb, _NEG, np.int64)
    pre_ready = np.full(nb, _NEG, np.int64)
    pre_done = np.full(nb, _NEG, np.int64)
    cur_int = np.full(nb, -1, np.int64)
    qbuf = np.zeros((nb, qcap), np.int64)
    qrow = np.zeros((nb, qcap), np.int64)
    qwr = np.zeros((nb, qcap), np.int8)
    qlen = np.zeros(nb, np.int64)
    cand_slot = np.zeros(nb, np.int64)
    cand_cmd = np.zeros(nb, np.int64)
    dirty = np.ones(nb, np.bool_)
    cand_req = np.zeros(nb, np.int64)
    cand_g = np.zeros(nb, np.int64)
    cand_kind = np.zeros(nb, np.int64)
    bank_e = np.zeros(nb, np.int64)
    rank_e = np.full((nranks, 4, nbg), _NEG, np.int64)
    rank_e_flat = rank_e.reshape(-1)
    bank_rank = np.arange(nb) // bpr
    ranks_dirty = True

    last_act = np.full(nranks, _NEG, np.int64)
    last_act_bg = np.full((nranks, nbg), _NEG, np.int64)
    faw = np.full((nranks, 4), _NEG, np.int64)
    faw_pos = np.zeros(nranks, np.int64)
    last_col = np.full(nranks, _NEG, np.int64)
    last_col_bg = np.full((nranks, nbg), _NEG, np.int64)
    last_wr = np.full(nranks, _NEG, np.int64)
    last_wr_bg = np.full((nranks, nbg), _NEG, np.int64)
    last_rd = np.full(nranks, _NEG, np.int64)
    ref_ready = np.full(nranks, _NEG, np.int64)
    next_due = np.zeros(nranks, np.int64)
    for r in range(nranks):
        next_due[r] = tm[_REFI] + (r * tm[_REFI]) // nranks
    flex = np.zeros(nranks, np.int64)
    forced = np.zeros(nranks, np.bool_)
    after_ref = np.zeros(nranks, np.bool_)
    open_count = np.zeros(nranks, np.int64)
    bus_end = _NEG
    bus_rank = -1
    last_dir = 0

    total_q = 0
    n_reads_q = 0
    n_writes_q = 0
    acc_ptr = 0
    fwd_ptr = 0
    done = 0
    ret_ptr = 0
    last_ret = _NEG
    returned = 0
    heap = np.zeros(n + 1, np.int64)
    hsize = 0
    now = np.int64(0)

    while done < n:
        counts[SLOT_ITERATIONS] += 1
        progressed = False
        nxt = _INF
        # ---- responses returned (only the limiting arbiters need them)
        if arb != ARB_SIMPLE:
            if in_order:
                while ret_ptr < fwd_ptr and complete[ret_ptr] >= 0:
                    t = max(complete[ret_ptr], last_ret)
                    if t > now:
                        break
                    last_ret = t
                    ret_ptr += 1
                returned = ret_ptr
            else:
                while hsize > 0 and heap[0] <= now:
                    hsize = _heap_pop(heap, hsize)
                    returned += 1
        # ---- front end: accept the next request, forward into the scheduler buffer
        for stage in range(2):
            i = acc_ptr if (arb == ARB_SIMPLE or stage == 0) else fwd_ptr
            if stage == 1 and arb == ARB_SIMPLE:
                break
            if i >= n:
                continue
            if stage == 0 and ts[i] > now:
                nxt = min(nxt, ts[i])
                continue
            if stage == 1 and i >= acc_ptr:
                continue
            if arb != ARB_SIMPLE and stage == 0:
                if acc_ptr - returned < limit:
                    accept[i] = now
                    acc_ptr += 1
                    progressed = True
                elif in_order:
                    if ret_ptr < n and complete[ret_ptr] >= 0:
                        nxt = min(nxt, max(complete[ret_ptr], last_ret))
                elif hsize > 0:
                    nxt = min(nxt, heap[0])
                continue
            b = bank[i]
            if bufk == BUFFER_BANKWISE:
                space = qlen[b] < bsize
            elif bufk == BUFFER_SHARED:
                space = total_q < bsize
            elif is_wr[i] == 1:
                space = n_writes_q < bsize
            else:
                space = n_reads_q < bsize
            if space:
                qbuf[b, qlen[b]] = i
                qrow[b, qlen[b]] = row[i]
                qwr[b, qlen[b]] = is_wr[i]
                qlen[b] += 1
                total_q += 1
                if is_wr[i] == 1:
                    n_writes_q += 1
                else:
                    n_reads_q += 1
                dirty[b] = True
                if arb == ARB_SIMPLE:
                    accept[i] = now
                    acc_ptr += 1
                fwd_ptr += 1
                progressed = True
        # ---- refresh bookkeeping
        idle = total_q == 0 and fwd_ptr == acc_ptr
        chosen_cmd = -1
        chosen_b = -1
        chosen_key = _INF
        if refresh_on:
            for r in range(nranks):
                while now >= next_due[r]:
                    next_due[r] += tm[_REFI]
                    flex[r] -= 1
                    if flex[r] < -maxpost:
                        forced[r] = True
                    if -flex[r] > counts[SLOT_MAX_OWED]:
                        counts[SLOT_MAX_OWED] = -flex[r]
                nxt = min(nxt, next_due[r])
                want = forced[r] or (idle and (flex[r] < 0 or (after_ref[r] and flex[r] < maxpull)))
                if not want:
                    continue
                if open_count[r] > 0:
                    cmd = PREA
                    e = _NEG
                    for b in range(r * bpr, (r + 1) * bpr):
                        if open_row[b] >= 0:
                            e = max(e, pre_ready[b])
                else:
                    cmd = REF
                    e = ref_ready[r]
                    for b in range(r * bpr, (r + 1) * bpr):
                        e = max(e, pre_done[b])
                if e <= now:
                    if chosen_cmd < 0:
                        chosen_cmd = cmd
                        chosen_b = r
                        chosen_key = -1
                else:
                    nxt = min(nxt, e)
        # ---- bank candidates (oldest request first)
        if chosen_cmd < 0:
            if ranks_dirty:
                ranks_dirty = False
                for r in range(nranks):
                    bus_ok = bus_end + (tm[_RTRS] if bus_rank != r else 0)
                    a_any = max(last_act[r] + tm[_RRDS], faw[r, faw_pos[r]] + tm[_FAW],
                                ref_ready[r])
                    c_any = last_col[r] + tm[_CCDS]
                    rd_any = max(c_any, last_wr[r] + tm[_CWL] + bl2 + tm[_WTRS], bus_ok - tm[_CL])
                    wr_any = max(c_any, last_rd[r] + tm[_CL] + bl2 + 2 - tm[_CWL],
                                 bus_ok - tm[_CWL])
                    for g in range(nbg):
                        rank_e[r, 0, g] = max(a_any, last_act_bg[r, g] + tm[_RRDL])
                        c_g = last_col_bg[r, g] + tm[_CCDL]
                        rank_e[r, 1, g] = max(rd_any, c_g, last_wr_bg[r, g] + tm[_CWL] + bl2
                                              + tm[_WTRL])
                        rank_e[r, 2, g] = max(wr_any, c_g)
            for b in range(nb):
                if qlen[b] == 0:
                    continue
                r = bank_rank[b]
                if forced[r]:
                    continue
                if dirty[b]:
                    dirty[b] = False
                    orow = open_row[b]
                    slot = -1
                    if sched != SCHED_FIFO and orow >= 0:
                        if sched == SCHED_FRFCFS_GRP:
                            for k in range(qlen[b]):
                                if qrow[b, k] == orow and qwr[b, k] == last_dir:
                                    slot = k
                                    break
                        if slot < 0:
                            for k in range(qlen[b]):
                                if qrow[b, k] == orow:
                                    slot = k
                                    break
                    if slot < 0:
                        slot = 0
                    q = qbuf[b, slot]
                    cand_slot[b] = slot
                    cand_req[b] = q
                    cand_g[b] = bgroup[q]
                    if orow < 0:
                        cand_cmd[b] = ACT
                        cand_kind[b] = 0
                        bank_e[b] = act_ready[b]
                    elif row[q] == orow:
                        if is_wr[q] == 1:
                            cand_cmd[b] = WR
                            cand_kind[b] = 2
                        else:
                            cand_cmd[b] = RD
                            cand_kind[b] = 1
                        bank_e[b] = col_ready[b]
                    else:
                        cand_cmd[b] = PRE
                        cand_kind[b] = 3
                        bank_e[b] = pre_ready[b]
                e = max(bank_e[b], rank_e_flat[(r * 4 + cand_kind[b]) * nbg + cand_g[b]])
                if e <= now:
                    q = cand_req[b]
                    if q < chosen_key:
                        chosen_key = q
                        chosen_cmd = cand_cmd[b]
                        chosen_b = b
                elif e < nxt:
                    nxt = e
        # ---- issue the chosen command
        if chosen_cmd >= 0:
            progressed = True
            ranks_dirty = True
            cmd = chosen_cmd
            lrow = -1
            lreq = -1
            if cmd == PREA or cmd == REF:  # noqa: SIM109 (numba-friendly)
                r = chosen_b
                if cmd == PREA:
                    for b in range(r * bpr, (r + 1) * bpr):
                        if open_row[b] >= 0:
                            open_row[b] = -1
                            act_ready[b] = max(act_ready[b], now + tm[_RP])
                            pre_done[b] = now + tm[_RP]
                            int_end[cur_int[b]] = now
                            dirty[b] = True
                    open_count[r] = 0
                    after_ref[r] = False
                else:
                    ref_ready[r] = now + tm[_RFC]
                    flex[r] += 1
                    if flex[r] >= 0:
                        forced[r] = False
                    after_ref[r] = True
                lbank = r
            else:
                b = chosen_b
                r = b // bpr
                after_ref[r] = False
                slot = cand_slot[b]
                q = qbuf[b, slot]
                g = bgroup[q]
                lrow = row[q]
                lreq = q
                lbank = b
                dirty[b] = True
                if cmd == ACT:
                    open_row[b] = row[q]
                    col_ready[b] = now + tm[_RCD]
                    pre_ready[b] = max(pre_ready[b], now + tm[_RAS])
                    act_ready[b] = now + tm[_RC]
                    last_act[r] = now
                    last_act_bg[r, g] = now
                    faw[r, faw_pos[r]] = now
                    faw_pos[r] = (faw_pos[r] + 1) % 4
                    open_count[r] += 1
                    if n_int == int_start.shape[0]:
                        int_start = _grow(int_start)
                        int_end = _grow(int_end)
                        int_rank = _grow(int_rank)
                    int_start[n_int] = now
                    int_end[n_int] = -1
                    int_rank[n_int] = r
                    cur_int[b] = n_int
                    n_int += 1
                    if klass[q] == 0:
                        klass[q] = 1
                elif cmd == PRE:
                    open_row[b] = -1
                    act_ready[b] = max(act_ready[b], now + tm[_RP])
                    pre_done[b] = now + tm[_RP]
                    open_count[r] -= 1
                    int_end[cur_int[b]] = now
                    klass[q] = 2
                else:
                    wr = cmd == WR
                    # page policy: auto-precharge decided from the rest of this bank's queue
                    hit_other = False
                    miss_other = False
                    if page == PAGE_OPEN_ADAPTIVE or page == PAGE_CLOSED_ADAPTIVE:  # noqa: SIM109
                        for k in range(qlen[b]):
                            if k != slot:
                                if qrow[b, k] == lrow:
                                    hit_other = True
                                else:
                                    miss_other = True
                    auto = (page == PAGE_CLOSED
                            or (page == PAGE_OPEN_ADAPTIVE and miss_other and not hit_other)
                            or (page == PAGE_CLOSED_ADAPTIVE and not hit_other))
                    if wr:
                        complete[q] = now + tm[_CWL] + bl2
                        last_wr[r] = now
                        last_wr_bg[r, g] = now
                        pre_ready[b] = max(pre_ready[b], now + tm[_CWL] + bl2 + tm[_WR])
                        n_writes_q -= 1
                    else:
                        complete[q] = now + tm[_CL] + bl2
                        last_rd[r] = now
                        pre_ready[b] = max(pre_ready[b], now + tm[_RTP])
                        n_reads_q -= 1
                    last_col[r] = now
                    last_col_bg[r, g] = now
                    bus_end = complete[q]
                    bus_rank = r
                    d = 1 if wr else 0
                    if d != last_dir:
                        last_dir = d
                        if sched == SCHED_FRFCFS_GRP:
                            dirty[:] = True
                    if auto:
                        cmd = WRA if wr else RDA
                        p = pre_ready[b]
                        open_row[b] = -1
                        act_ready[b] = max(act_ready[b], p + tm[_RP])
                        pre_done[b] = p + tm[_RP]
                        open_count[r] -= 1
                        int_end[cur_int[b]] = p
                    for k in range(slot, qlen[b] - 1):
                        qbuf[b, k] = qbuf[b, k + 1]
                        qrow[b, k] = qrow[b, k + 1]
                        qwr[b, k] = qwr[b, k + 1]
                    qlen[b] -= 1
                    total_q -= 1
                    done += 1
                    if arb != ARB_SIMPLE and not in_order:
                        hsize = _heap_push(heap, hsize, complete[q])
            counts[cmd] += 1
            if log_cap > 0:
                if n_log == log.shape[0]:
                    log = _grow_rows(log)
                log[n_log, 0] = now
                log[n_log, 1] = cmd
                log[n_log, 2] = lbank
                log[n_log, 3] = lrow
                log[n_log, 4] = lreq
                n_log += 1
        if progressed:
            now += 1
        elif nxt >= _INF:
            counts[SLOT_ERROR] = ERROR_STALLED
            break
        else:
            now = max(now + 1, nxt)

    return (accept, complete, klass, counts, int_start[:n_int], int_end[:n_int],
            int_rank[:n_int], log[:n_log])
