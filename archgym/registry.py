"""`Registry`: the one mechanism that maps a name to an implementation.

Agents, simulation backends, sweep executors, reward formulas, proxy model
kinds and proxy splits are each one :class:`Registry`. An entry is either an
object or a lazy ``"module:attr"`` string, imported on first use, so listing
names imports nothing heavy. Unknown names raise
:class:`~archgym.errors.UnknownName` with a "did you mean"; an entry point
that does not import raises :class:`~archgym.errors.ConfigError` naming it.

A name that itself has the form ``"module:attr"`` is resolved as an entry
point (how sweep specs name agents that live in user code).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from archgym.errors import ConfigError, UnknownName

__all__ = ["Registry", "load_entry_point"]

T = TypeVar("T")


def load_entry_point(entry_point: str) -> Any:
    """Import ``"module:attr"`` (``attr`` may be dotted) and return the attribute.

    Raises:
        ConfigError: the string is not ``module:attr``, or it does not import.
    """
    module, sep, attr = entry_point.partition(":")
    if not sep or not module or not attr:
        raise ConfigError(f"entry point must be 'module:attr', got {entry_point!r}")
    try:
        obj: Any = importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(f"cannot import module {module!r} of {entry_point!r}: {exc}") from exc
    try:
        for part in attr.split("."):
            obj = getattr(obj, part)
    except AttributeError as exc:
        raise ConfigError(f"module {module!r} has no attribute {attr!r} ({entry_point!r})") from exc
    return obj


class Registry(Generic[T]):
    """Names -> implementations of one kind.

    Args:
        kind: What the entries are, for messages (``"agent"``, ``"backend"``).
        check: Optional check of a loaded entry; returns an error text or ``""``.
    """

    def __init__(self, kind: str, check: Callable[[Any], str] | None = None):
        self.kind = kind
        self._entries: dict[str, T | str] = {}
        self._check = check

    def register(self, name: str, entry: T | str, *, replace: bool = True) -> None:
        """Register ``entry`` (an object or a ``"module:attr"`` string) under ``name``.

        Raises:
            ConfigError: ``name`` is not a non-empty string, or it is taken and
                ``replace`` is False.
        """
        if not isinstance(name, str) or not name:
            raise ConfigError(f"a {self.kind} name must be a non-empty string, got {name!r}")
        if not replace and name in self._entries:
            raise ConfigError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = entry

    def unregister(self, name: str) -> None:
        """Remove ``name`` (no error when it is not registered)."""
        self._entries.pop(name, None)

    def get(self, name: str) -> T:
        """The implementation registered as ``name`` (importing it if needed).

        Raises:
            UnknownName: ``name`` is not registered (and not ``module:attr``).
            ConfigError: its entry point does not import, or fails the check.
        """
        if not isinstance(name, str):
            raise UnknownName(self.kind, name, self._entries)
        if name in self._entries:
            entry = self._entries[name]
            if isinstance(entry, str):
                entry = load_entry_point(entry)
                self._entries[name] = entry
        elif ":" in name:
            entry = load_entry_point(name)
        else:
            raise UnknownName(self.kind, name, self._entries)
        if self._check is not None:
            problem = self._check(entry)
            if problem:
                raise ConfigError(f"{self.kind} {name!r}: {problem}")
        return entry

    def names(self) -> list[str]:
        """Registered names, in registration order."""
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {self.names()})"
