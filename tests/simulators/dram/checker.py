"""An independent JEDEC timing checker for recorded DRAM command logs.

It shares nothing with the controller kernel but the command codes: it replays
the log (clock, command, bank-or-rank, row, request) through its own per-bank
state machine and checks every constraint against the command history,
returning one message per violation.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from archgym.simulators.dram.commands import ACT, PRE, PREA, RDA, REF, WR, WRA
from archgym.simulators.dram.memspec import MemSpec

NEVER = -(10**12)


def check_log(log: np.ndarray, spec: MemSpec, ranks: int,
              expected: dict[int, tuple[int, int]] | None = None) -> list[str]:
    """Return the timing/protocol violations of ``log`` (empty when clean).

    Args:
        log: ``(n, 5)`` int array from ``DRAMStats.command_log``.
        spec: The memspec simulated.
        ranks: Ranks simulated.
        expected: Optional request -> (flat bank, row) it must be served from.
    """
    t = spec.timing
    bl2 = spec.burst_length // 2
    bpr = spec.banks
    bad: list[str] = []
    is_open: dict[int, int | None] = defaultdict(lambda: None)
    act_t: dict[int, int] = defaultdict(lambda: NEVER)
    pre_t: dict[int, int] = defaultdict(lambda: NEVER)   # last (explicit or internal) precharge
    rd_t: dict[int, int] = defaultdict(lambda: NEVER)    # per bank, since its last ACT
    wr_t: dict[int, int] = defaultdict(lambda: NEVER)
    rank_acts: dict[int, list[tuple[int, int]]] = defaultdict(list)  # (clock, bank group)
    rank_cols: dict[int, list[tuple[int, int, bool]]] = defaultdict(list)  # (clock, bg, write)
    ref_t: dict[int, int] = defaultdict(lambda: NEVER)
    last_burst = (NEVER, NEVER, -1)  # (start, end, rank)
    served: dict[int, int] = defaultdict(int)
    prev_clock = NEVER

    def need(ok: bool, what: str, clock: int) -> None:
        if not ok:
            bad.append(f"clock {clock}: {what}")

    def close(b: int, clock: int) -> None:
        need(clock >= act_t[b] + t["tRAS"], f"bank {b} precharge before tRAS", clock)
        need(clock >= rd_t[b] + t["tRTP"], f"bank {b} precharge before tRTP", clock)
        need(clock >= wr_t[b] + t["CWL"] + bl2 + t["tWR"], f"bank {b} precharge before tWR", clock)
        is_open[b] = None
        pre_t[b] = clock

    for clock, cmd, where, row, req in (tuple(int(x) for x in r) for r in log):
        need(clock > prev_clock, "two commands in one clock (command bus)", clock)
        prev_clock = clock
        if cmd in (PREA, REF):
            rank = where
            banks = range(rank * bpr, (rank + 1) * bpr)
            if cmd == PREA:
                for b in banks:
                    if is_open[b] is not None:
                        close(b, clock)
            else:
                for b in banks:
                    need(is_open[b] is None, f"REF with bank {b} open", clock)
                    need(clock >= pre_t[b] + t["tRP"], f"REF before tRP of bank {b}", clock)
                need(clock >= ref_t[rank] + t["tRFC"], "REF before tRFC", clock)
                ref_t[rank] = clock
            continue
        b = where
        rank, bg = b // bpr, (b % bpr) // spec.banks_per_group
        if cmd == ACT:
            need(is_open[b] is None, f"ACT to open bank {b}", clock)
            need(clock >= pre_t[b] + t["tRP"], f"ACT bank {b} before tRP", clock)
            need(clock >= act_t[b] + t["tRC"], f"ACT bank {b} before tRC", clock)
            need(clock >= ref_t[rank] + t["tRFC"], f"ACT rank {rank} before tRFC", clock)
            acts = rank_acts[rank]
            if acts:
                need(clock >= acts[-1][0] + t["tRRD_S"], "ACT before tRRD_S", clock)
            same = [a for a, g in acts if g == bg]
            if same:
                need(clock >= same[-1] + t["tRRD_L"], "ACT before tRRD_L", clock)
            if len(acts) >= 4:
                need(clock >= acts[-4][0] + t["tFAW"], "fifth ACT inside tFAW", clock)
            acts.append((clock, bg))
            del acts[:-8]
            is_open[b] = row
            act_t[b] = clock
            rd_t[b] = wr_t[b] = NEVER
        elif cmd == PRE:
            need(is_open[b] is not None, f"PRE to closed bank {b}", clock)
            close(b, clock)
        else:
            write = cmd in (WR, WRA)
            need(is_open[b] == row, f"column command to bank {b} row {row}, open {is_open[b]}",
                 clock)
            need(clock >= act_t[b] + t["tRCD"], f"column command bank {b} before tRCD", clock)
            for c, g, w in rank_cols[rank]:
                gap = t["tCCD_L"] if g == bg else t["tCCD_S"]
                need(clock >= c + gap, "column commands closer than tCCD", clock)
                if w and not write:
                    wtr = t["tWTR_L"] if g == bg else t["tWTR_S"]
                    need(clock >= c + t["CWL"] + bl2 + wtr, "RD before tWTR", clock)
                if not w and write:
                    need(clock >= c + t["CL"] + bl2 + 2 - t["CWL"], "WR before RD->WR turnaround",
                         clock)
            rank_cols[rank].append((clock, bg, write))
            del rank_cols[rank][:-16]
            start = clock + (t["CWL"] if write else t["CL"])
            gap = t["tRTRS"] if last_burst[2] not in (-1, rank) else 0
            need(start >= last_burst[1] + gap, "data bursts overlap (data bus)", clock)
            last_burst = (start, start + bl2, rank)
            if write:
                wr_t[b] = clock
            else:
                rd_t[b] = clock
            served[req] += 1
            if expected is not None:
                need(expected.get(req) == (b, row), f"request {req} served from wrong bank/row",
                     clock)
            if cmd in (RDA, WRA):
                internal = max(clock + (t["CWL"] + bl2 + t["tWR"] if write else t["tRTP"]),
                               act_t[b] + t["tRAS"])
                is_open[b] = None
                pre_t[b] = internal
    twice = [r for r, k in served.items() if k != 1]
    if twice:
        bad.append(f"requests served more than once: {twice[:5]}")
    return bad
