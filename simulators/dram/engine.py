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
    "ERROR_INTERVALS_FULL",
    "ERROR_LOG_FULL",
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
ERROR_LOG_FULL = 1  #: the command log reached ``log_cap`` (run again with a larger one)
ERROR_STALLED = 2  #: no event was pending before every request was served
ERROR_INTERVALS_FULL = 3  #: the rows-open intervals reached ``int_cap`` (run again, larger)
_BL2 = 4  # clocks a BL8 burst occupies the data bus
_NEG = -(1 << 40)
_INF = 1 << 62


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


# -------------------------------------------------------------------- refresh
@njit(cache=True, inline="always")
def _refresh_manager(now, nxt, tm, nranks, bpr, maxpost, maxpull, idle, next_due, flex, forced,
                     after_ref, open_count, open_row, pre_ready, pre_done, ref_ready, counts):
    """Account the REFs falling due by ``now`` and pick a PREA or REF that may issue now.

    A rank owes a REF every tREFI (``flex`` < 0); once it owes more than
    ``maxpost`` it is ``forced`` (its other commands wait); an idle rank
    refreshes early up to ``maxpull`` right after a refresh. A rank with
    open rows first needs PREA. Returns ``(cmd, rank, nxt)``, ``cmd`` -1 when
    no refresh command can issue now.
    """
    chosen_cmd = -1
    chosen_r = -1
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
                chosen_r = r
        else:
            nxt = min(nxt, e)
    return chosen_cmd, chosen_r, nxt


@njit(cache=True, inline="always")
def _issue_refresh(cmd, r, now, tm, bpr, open_row, act_ready, pre_done, int_end, cur_int, dirty,
                   open_count, after_ref, ref_ready, flex, forced):
    """Issue PREA (close every open row of rank ``r``) or REF on rank ``r``."""
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


# ------------------------------------------------------------ candidate choice
@njit(cache=True, inline="always")
def _rank_ready(rank_e, tm, nranks, nbg, bus_end, bus_rank, last_act, last_act_bg, faw, faw_pos,
                last_col, last_col_bg, last_wr, last_wr_bg, last_rd, ref_ready):
    """Earliest clock per rank, command kind (ACT, RD, WR) and bank group allowed by the
    rank-level constraints (tRRD, tFAW, tRFC, tCCD, tWTR, turnarounds, data bus)."""
    for r in range(nranks):
        bus_ok = bus_end + (tm[_RTRS] if bus_rank != r else 0)
        a_any = max(last_act[r] + tm[_RRDS], faw[r, faw_pos[r]] + tm[_FAW], ref_ready[r])
        c_any = last_col[r] + tm[_CCDS]
        rd_any = max(c_any, last_wr[r] + tm[_CWL] + _BL2 + tm[_WTRS], bus_ok - tm[_CL])
        wr_any = max(c_any, last_rd[r] + tm[_CL] + _BL2 + 2 - tm[_CWL], bus_ok - tm[_CWL])
        for g in range(nbg):
            rank_e[r, 0, g] = max(a_any, last_act_bg[r, g] + tm[_RRDL])
            c_g = last_col_bg[r, g] + tm[_CCDL]
            rank_e[r, 1, g] = max(rd_any, c_g, last_wr_bg[r, g] + tm[_CWL] + _BL2 + tm[_WTRL])
            rank_e[r, 2, g] = max(wr_any, c_g)


@njit(cache=True, inline="always")
def _bank_candidates(now, nxt, nb, nbg, sched, last_dir, bgroup, row, is_wr, qlen, qbuf, qrow,
                     qwr, bank_rank, forced, dirty, open_row, act_ready, col_ready, pre_ready,
                     cand_slot, cand_req, cand_g, cand_cmd, cand_kind, bank_e, rank_e_flat):
    """Each bank's next command (recomputed for banks marked ``dirty``) and the one to issue.

    A bank's candidate is ACT on a closed bank, PRE on a conflict, RD/WR on a
    hit, for the request the scheduler chooses. Among the candidates
    whose bank and rank constraints are met, the one serving the oldest
    request wins. Returns ``(cmd, bank, nxt)``, ``cmd`` -1 when none can issue.
    """
    chosen_cmd = -1
    chosen_b = -1
    chosen_key = _INF
    for b in range(nb):
        if qlen[b] == 0:
            continue
        r = bank_rank[b]
        if forced[r]:
            continue
        if dirty[b]:
            dirty[b] = False
            orow = open_row[b]
            # the scheduler's choice: Fifo the oldest; FrFcfs the oldest hit, else the oldest;
            # FrFcfsGrp first the oldest hit in the current bus direction
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
    return chosen_cmd, chosen_b, nxt


# ---------------------------------------------------------- issue, bookkeeping
@njit(cache=True, inline="always")
def _activate(b, r, g, q, now, tm, row, klass, open_row, col_ready, pre_ready, act_ready,
              last_act, last_act_bg, faw, faw_pos, open_count, cur_int, n_int, int_start, int_end,
              int_rank):
    """ACT: open ``row[q]`` in bank ``b`` and start rows-open interval ``n_int``.

    The caller has checked that the interval arrays have room. Returns ``n_int + 1``.
    """
    open_row[b] = row[q]
    col_ready[b] = now + tm[_RCD]
    pre_ready[b] = max(pre_ready[b], now + tm[_RAS])
    act_ready[b] = now + tm[_RC]
    last_act[r] = now
    last_act_bg[r, g] = now
    faw[r, faw_pos[r]] = now
    faw_pos[r] = (faw_pos[r] + 1) % 4
    open_count[r] += 1
    int_start[n_int] = now
    int_end[n_int] = -1
    int_rank[n_int] = r
    cur_int[b] = n_int
    n_int += 1
    if klass[q] == 0:
        klass[q] = 1
    return n_int


@njit(cache=True, inline="always")
def _precharge(b, r, q, now, tm, klass, open_row, act_ready, pre_done, open_count, int_end,
               cur_int):
    """PRE on a row conflict: close bank ``b``; request ``q`` becomes a conflict."""
    open_row[b] = -1
    act_ready[b] = max(act_ready[b], now + tm[_RP])
    pre_done[b] = now + tm[_RP]
    open_count[r] -= 1
    int_end[cur_int[b]] = now
    klass[q] = 2


@njit(cache=True, inline="always")
def _auto_precharge(page, b, slot, lrow, qlen, qrow):
    """Whether the page policy closes the row with this column command (RDA/WRA).

    Decided from the rest of bank ``b``'s queue: ``Closed`` always;
    ``OpenAdaptive`` when a miss but no hit is queued; ``ClosedAdaptive``
    unless a hit is queued; ``Open`` never.
    """
    hit_other = False
    miss_other = False
    if page == PAGE_OPEN_ADAPTIVE or page == PAGE_CLOSED_ADAPTIVE:  # noqa: SIM109
        for k in range(qlen[b]):
            if k != slot:
                if qrow[b, k] == lrow:
                    hit_other = True
                else:
                    miss_other = True
    return (page == PAGE_CLOSED
            or (page == PAGE_OPEN_ADAPTIVE and miss_other and not hit_other)
            or (page == PAGE_CLOSED_ADAPTIVE and not hit_other))


@njit(cache=True, inline="always")
def _dequeue(b, slot, qlen, qbuf, qrow, qwr):
    """Remove entry ``slot`` from bank ``b``'s queue (keeping arrival order)."""
    for k in range(slot, qlen[b] - 1):
        qbuf[b, k] = qbuf[b, k + 1]
        qrow[b, k] = qrow[b, k + 1]
        qwr[b, k] = qwr[b, k + 1]
    qlen[b] -= 1


@njit(cache=True, inline="always")
def _log_command(log, n_log, now, cmd, lbank, lrow, lreq):
    """Write one command into row ``n_log`` of the log (the caller checked there is room)."""
    log[n_log, 0] = now
    log[n_log, 1] = cmd
    log[n_log, 2] = lbank
    log[n_log, 3] = lrow
    log[n_log, 4] = lreq


# ---------------------------------------------------------------- the kernel
@njit(cache=True)
def simulate(ts, is_wr, rank, bgroup, bank, row, tm, nranks, nbg, bpr, design, log_cap, int_cap):
    """Run the controller on decoded requests.

    Each loop iteration is one clock in which something may happen: responses
    return and the front end accepts and forwards requests (inline below),
    the refresh manager may claim the command bus (:func:`_refresh_manager`),
    otherwise the oldest request's ready bank command wins (:func:`_rank_ready`,
    :func:`_bank_candidates`); the chosen command is issued
    (:func:`_issue_refresh`, :func:`_activate`, :func:`_precharge`, or a column
    command inline with :func:`_auto_precharge` and :func:`_dequeue`) and
    logged (:func:`_log_command`). With nothing to do, time jumps to the
    earliest pending event. (The front end and the column command stay inline:
    as helpers they made the loop 20-200% slower under Numba 0.68.)

    Args:
        ts: Arrival clock per request (non-decreasing int64, below 2^62).
        is_wr: 1 for a write, 0 for a read (int8).
        rank, bgroup, bank, row: Decoded fields (int64); ``bank`` is the flat
            bank index ``rank * bpr + bank_in_rank``.
        tm: Timings (int64, memspec TIMING_KEYS order), within the memspec
            bounds (see :mod:`.memspec`).
        nranks, nbg, bpr: Ranks, bank groups per rank, banks per rank.
        design: Knob vector (``space.KNOBS`` order, categorical values as
            indices; see :func:`~.space.design_vector`).
        log_cap: Command-log capacity (0 disables the log). When it is
            reached the run stops with :data:`ERROR_LOG_FULL`.
        int_cap: Capacity of the rows-open interval arrays (one entry per
            ACT). When it is reached the run stops with
            :data:`ERROR_INTERVALS_FULL`. The caller runs again with larger
            capacities (see ``DRAMSimulator.run``); fixed capacities keep
            array growth out of the hot loop.

    Returns:
        A tuple ``(accept, complete, klass, counts, int_start, int_end,
        int_rank, log)``:

        - ``accept`` (int64, per request): the clock the memory system
          accepted it;
        - ``complete`` (int64, per request): the clock its last data beat
          ends (before any response reordering; -1 if never served, which
          only happens with an error code);
        - ``klass`` (int8, per request): 0 row hit, 1 miss (needed an ACT), 2
          conflict (needed a PRE);
        - ``counts`` (int64, :data:`N_COUNTS`): issued commands by command
          code (0-7, :mod:`.commands`; RDA/WRA counted instead of RD/WR),
          then :data:`SLOT_MAX_OWED`, :data:`SLOT_ERROR` (0, or an
          ``ERROR_*`` code: the other results are then incomplete) and
          :data:`SLOT_ITERATIONS`;
        - ``int_start``, ``int_end``, ``int_rank`` (int64, one entry per
          ACT): the clocks a row was open and its rank, for the energy model;
          ``int_end`` is -1 for a row still open at the end;
        - ``log`` (int64, shape ``(n_commands, 5)``, empty when ``log_cap``
          is 0): per issued command its clock, command code, flat bank (the
          rank for PREA and REF), row and request (-1 for PREA and REF).
    """
    n = ts.shape[0]
    nb = nranks * bpr
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
    int_start = np.zeros(int_cap, np.int64)
    int_end = np.zeros(int_cap, np.int64)
    int_rank = np.zeros(int_cap, np.int64)
    n_int = 0
    log = np.zeros((max(log_cap, 1), 5), np.int64)
    n_log = 0

    # per bank: state, timing readiness, scheduler queue, current candidate
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

    # per rank: last commands (for the rank-level constraints) and refresh state
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

    # front end and arbiter
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
    now = 0  # int64 under Numba

    while done < n:
        counts[SLOT_ITERATIONS] += 1
        nxt = _INF
        progressed = False
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
        chosen_cmd = -1
        chosen_b = -1
        if refresh_on:
            idle = total_q == 0 and fwd_ptr == acc_ptr
            chosen_cmd, chosen_b, nxt = _refresh_manager(
                now, nxt, tm, nranks, bpr, maxpost, maxpull, idle, next_due, flex, forced,
                after_ref, open_count, open_row, pre_ready, pre_done, ref_ready, counts)
        if chosen_cmd < 0:
            if ranks_dirty:
                ranks_dirty = False
                _rank_ready(rank_e, tm, nranks, nbg, bus_end, bus_rank, last_act, last_act_bg,
                            faw, faw_pos, last_col, last_col_bg, last_wr, last_wr_bg, last_rd,
                            ref_ready)
            chosen_cmd, chosen_b, nxt = _bank_candidates(
                now, nxt, nb, nbg, sched, last_dir, bgroup, row, is_wr, qlen, qbuf, qrow, qwr,
                bank_rank, forced, dirty, open_row, act_ready, col_ready, pre_ready, cand_slot,
                cand_req, cand_g, cand_cmd, cand_kind, bank_e, rank_e_flat)
        if chosen_cmd >= 0:
            progressed = True
            ranks_dirty = True
            cmd = chosen_cmd
            lrow = -1
            lreq = -1
            if cmd == PREA or cmd == REF:  # noqa: SIM109 (numba-friendly)
                _issue_refresh(cmd, chosen_b, now, tm, bpr, open_row, act_ready, pre_done,
                               int_end, cur_int, dirty, open_count, after_ref, ref_ready, flex,
                               forced)
                lbank = chosen_b
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
                    if n_int == int_cap:
                        counts[SLOT_ERROR] = ERROR_INTERVALS_FULL
                        break
                    n_int = _activate(
                        b, r, g, q, now, tm, row, klass, open_row, col_ready, pre_ready,
                        act_ready, last_act, last_act_bg, faw, faw_pos, open_count, cur_int,
                        n_int, int_start, int_end, int_rank)
                elif cmd == PRE:
                    _precharge(b, r, q, now, tm, klass, open_row, act_ready, pre_done,
                               open_count, int_end, cur_int)
                else:
                    wr = cmd == WR
                    auto = _auto_precharge(page, b, slot, lrow, qlen, qrow)
                    if wr:
                        complete[q] = now + tm[_CWL] + _BL2
                        last_wr[r] = now
                        last_wr_bg[r, g] = now
                        pre_ready[b] = max(pre_ready[b], now + tm[_CWL] + _BL2 + tm[_WR])
                        n_writes_q -= 1
                    else:
                        complete[q] = now + tm[_CL] + _BL2
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
                    _dequeue(b, slot, qlen, qbuf, qrow, qwr)
                    total_q -= 1
                    done += 1
                    if arb != ARB_SIMPLE and not in_order:
                        hsize = _heap_push(heap, hsize, complete[q])
            counts[cmd] += 1
            if log_cap > 0:
                if n_log == log_cap:
                    counts[SLOT_ERROR] = ERROR_LOG_FULL
                    break
                _log_command(log, n_log, now, cmd, lbank, lrow, lreq)
                n_log += 1
        if progressed:
            now += 1
        elif nxt >= _INF:
            counts[SLOT_ERROR] = ERROR_STALLED
            break
        else:
            now = max(now + 1, nxt)  # type: ignore[call-overload,arg-type,unused-ignore]

    return (accept, complete, klass, counts, int_start[:n_int], int_end[:n_int],
            int_rank[:n_int], log[:n_log])
