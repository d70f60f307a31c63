"""The one exception hierarchy of ArchGym.

Every error the library raises on purpose derives from :class:`ArchGymError`,
so research code can catch ours without catching everything. Messages name the
offending parameter, the rule it breaks and the value it had.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "ArchGymError",
    "ConfigError",
    "DatasetError",
    "InvalidAction",
    "InvalidDesign",
    "TraceError",
    "UnknownName",
    "did_you_mean",
]


class ArchGymError(Exception):
    """Base class of every error ArchGym raises on purpose."""


class InvalidDesign(ArchGymError, ValueError):
    """A design is outside its design space or breaks a hardware rule.

    Attributes:
        parameter: The offending parameter (or rule) name, when one is known.
        value: The offending value, when one is known.
    """

    def __init__(self, message: str, *, parameter: str | None = None, value: object = None):
        super().__init__(message)
        self.parameter = parameter
        self.value = value


class InvalidAction(ArchGymError, ValueError):
    """An action handed to ``env.step`` is not an element of the action space."""


class UnknownName(ArchGymError, KeyError):
    """A name (env id, agent, workload, metric, hyperparameter) is not known.

    The message suggests the closest known names.
    """

    def __init__(self, kind: str, name: object, known: Iterable[str]):
        known = sorted(str(k) for k in known)
        self.kind = kind
        self.name = name
        self.known = known
        message = f"unknown {kind} {name!r}.{did_you_mean(str(name), known)}"
        if len(known) <= 40:
            message += f" Known {kind}s: {', '.join(known)}."
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])


class ConfigError(ArchGymError, ValueError):
    """A configuration (sweep spec, task graph, memory spec, kwargs) is malformed."""


class TraceError(ArchGymError, ValueError):
    """A memory trace file or trace request is malformed."""


class DatasetError(ArchGymError, ValueError):
    """A logged dataset or model artifact is missing, corrupted or of the wrong schema."""


def did_you_mean(name: str, known: Iterable[str], n: int = 3) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest known names, or ``""``."""
    close = difflib.get_close_matches(name, list(known), n=n, cutoff=0.6)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"
