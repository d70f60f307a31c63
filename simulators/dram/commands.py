"""DRAM command codes shared by the controller kernel, the command log and its readers."""

from __future__ import annotations

__all__ = ["ACT", "COMMAND_NAMES", "PRE", "PREA", "RD", "RDA", "REF", "WR", "WRA"]

ACT, PRE, PREA, RD, WR, RDA, WRA, REF = range(8)
#: Command code -> mnemonic.
COMMAND_NAMES = ("ACT", "PRE", "PREA", "RD", "WR", "RDA", "WRA", "REF")
