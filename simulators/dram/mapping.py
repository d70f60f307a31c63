"""Address mapping: physical byte address -> (rank, bank group, bank, row, column).

The mapping is a string of two-letter field codes, from the most to the least
significant bit above the 64-byte transaction offset: ``Ro`` row, ``Ch``
channel, ``Ra`` rank, ``Ba`` bank (within its group), ``Bg`` bank group,
``Co`` column (in 64-byte bursts). The default ``RoChRaBaBgCo`` puts the column
bits lowest, so a sequential stream stays in one row for a whole row
(``columns / burst_length`` transactions) and then moves to the next bank group.
Each field is ``log2`` of its count wide; the model has one channel, so ``Ch``
is zero bits wide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from archgym.errors import ConfigError
from archgym.simulators.dram.memspec import MemSpec

__all__ = ["FIELDS", "OFFSET_BITS", "AddressMapping"]

FIELDS = ("Ro", "Ch", "Ra", "Ba", "Bg", "Co")
OFFSET_BITS = 6  # 64-byte transactions


def _log2(n: int) -> int:
    return int(n).bit_length() - 1


@dataclass(frozen=True)
class AddressMapping:
    """A parsed field order with each field's bit position and width.

    Args:
        order: Field codes from most to least significant, e.g. ``("Ro", ..., "Co")``.
        widths: Field code -> width in bits.
    """

    order: tuple[str, ...]
    widths: dict[str, int]

    @classmethod
    def parse(cls, text: str, spec: MemSpec, ranks: int) -> AddressMapping:
        """Parse a mapping string such as ``"RoChRaBaBgCo"``.

        Raises:
            ConfigError: the string is not a permutation of the six field codes.
        """
        if not isinstance(text, str) or len(text) != 2 * len(FIELDS):
            raise ConfigError(
                f"address_mapping must be a permutation of the field codes {''.join(FIELDS)} "
                f"(12 characters), got {text!r}"
            )
        order = tuple(text[i : i + 2] for i in range(0, len(text), 2))
        bad = [f for f in order if f not in FIELDS]
        if bad or len(set(order)) != len(FIELDS):
            raise ConfigError(
                f"address_mapping {text!r}: each of {', '.join(FIELDS)} must appear exactly once "
                f"(unknown codes: {bad or 'none'})"
            )
        widths = {
            "Ro": _log2(spec.rows), "Ch": 0, "Ra": _log2(ranks), "Ba": _log2(spec.banks_per_group),
            "Bg": _log2(spec.bank_groups), "Co": _log2(spec.bursts_per_row),
        }
        return cls(order, widths)

    @property
    def total_bits(self) -> int:
        """Address bits including the 64-byte offset."""
        return OFFSET_BITS + sum(self.widths.values())

    @property
    def capacity_bytes(self) -> int:
        """Bytes addressable through this mapping."""
        return 1 << self.total_bits

    def shifts(self) -> dict[str, int]:
        """Field code -> bit position of its least significant bit."""
        pos, out = OFFSET_BITS, {}
        for f in reversed(self.order):
            out[f] = pos
            pos += self.widths[f]
        return out

    def decode(self, addresses: np.ndarray) -> dict[str, np.ndarray]:
        """Split byte addresses into fields.

        Args:
            addresses: Byte addresses (non-negative integers below the capacity).

        Returns:
            Field code -> int64 array.
        """
        a = np.asarray(addresses, dtype=np.int64)
        sh = self.shifts()
        return {f: (a >> sh[f]) & ((1 << self.widths[f]) - 1) for f in FIELDS}

    def encode(self, **fields: int) -> int:
        """The byte address of the given field values (missing fields are 0)."""
        sh = self.shifts()
        return sum(int(v) << sh[f] for f, v in fields.items())
