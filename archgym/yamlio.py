"""YAML for user-written text (sweep specs, ``-e KEY=VALUE`` values), read the YAML 1.2 way.

PyYAML follows YAML 1.1, where ``1e-3`` is a *string* (a float needs a dot:
``1.0e-3``). Researchers write learning rates as ``1e-3``, so :func:`load_yaml`
adds YAML 1.2's float rule: ``1e-3``, ``5E+2`` and ``.5`` are numbers. Only
safe constructs are loaded (no Python objects).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["YamlError", "load_yaml"]

YamlError = yaml.YAMLError


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 floats."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)
        |[-+]?(?:[0-9][0-9_]*)\.[0-9_]*
        |[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def load_yaml(text: str) -> Any:
    """Parse YAML text (YAML 1.2 floats, safe constructs only).

    Raises:
        yaml.YAMLError: the text is not valid YAML.
    """
    return yaml.load(text, Loader=_Loader)
