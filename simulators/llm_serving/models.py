"""The model catalogue (``models.yaml``): transformer shapes, parameter and KV-cache sizes."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from archgym.errors import ConfigError, UnknownName

__all__ = ["MODELS", "ModelSpec", "load_models"]


@dataclass(frozen=True)
class ModelSpec:
    """A decoder-only transformer (Llama family; MoE when ``experts > 1``).

    Attributes:
        key: Catalogue key, e.g. ``"llama-3-8b"``.
        name: Display name.
        layers: Decoder layers.
        hidden: Hidden size.
        heads: Query heads.
        kv_heads: Key/value heads (grouped-query attention when < heads).
        ffn: FFN intermediate size (per expert for MoE).
        vocab: Vocabulary size (embedding and LM head are separate matrices).
        experts: FFN experts per layer (1 for a dense model).
        experts_per_token: Experts each token is routed to (top-k).
    """

    key: str
    name: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    ffn: int
    vocab: int
    experts: int = 1
    experts_per_token: int = 1

    @property
    def head_dim(self) -> int:
        """Dimension of one attention head."""
        return self.hidden // self.heads

    @property
    def attention_params(self) -> int:
        """Parameters of one layer's attention projections (Q, K, V, O)."""
        d = self.head_dim
        return self.hidden * (self.heads + 2 * self.kv_heads) * d + self.heads * d * self.hidden

    @property
    def expert_params(self) -> int:
        """Parameters of one FFN expert (gate, up and down projections)."""
        return 3 * self.hidden * self.ffn

    @property
    def layer_params(self) -> int:
        """Parameters of one decoder layer (all experts, router and the two RMSNorms)."""
        router = self.hidden * self.experts if self.experts > 1 else 0
        return self.attention_params + self.experts * self.expert_params + router + 2 * self.hidden

    @property
    def embedding_params(self) -> int:
        """Parameters of the input embedding (the LM head has as many)."""
        return self.vocab * self.hidden

    @property
    def params(self) -> int:
        """Total parameters: layers, embedding, LM head and the final norm."""
        return self.layers * self.layer_params + 2 * self.embedding_params + self.hidden

    @property
    def active_params(self) -> int:
        """Parameters one token uses (top-k experts only): 2 x this = FLOPs per token."""
        inactive = (self.experts - self.experts_per_token) * self.expert_params
        return self.params - self.layers * inactive

    def kv_bytes_per_token(self, bytes_per_value: int) -> int:
        """KV-cache bytes of one token over all layers: 2 x layers x kv_heads x head_dim x bytes."""
        return 2 * self.layers * self.kv_heads * self.head_dim * bytes_per_value

    def weight_bytes(self, bytes_per_weight: int) -> int:
        """Bytes of all weights."""
        return self.params * bytes_per_weight


def _model(key: str, entry: Mapping[str, Any]) -> ModelSpec:
    try:
        spec = ModelSpec(
            key=key, name=str(entry["name"]), layers=int(entry["layers"]),
            hidden=int(entry["hidden"]), heads=int(entry["heads"]),
            kv_heads=int(entry["kv_heads"]), ffn=int(entry["ffn"]), vocab=int(entry["vocab"]),
            experts=int(entry.get("experts", 1)),
            experts_per_token=int(entry.get("experts_per_token", 1)),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"models.yaml: entry {key!r} is malformed: {exc!r}") from exc
    if spec.hidden % spec.heads or spec.heads % spec.kv_heads:
        raise ConfigError(f"models.yaml: {key!r}: hidden {spec.hidden} must be a multiple of "
                          f"heads {spec.heads}, and heads of kv_heads {spec.kv_heads}")
    return spec


@functools.cache
def load_models() -> dict[str, ModelSpec]:
    """Every model of ``models.yaml``, by key (read once)."""
    text = resources.files("archgym.simulators.llm_serving").joinpath("models.yaml").read_text()
    return {key: _model(key, entry) for key, entry in yaml.safe_load(text).items()}


class _Catalogue(Mapping[str, ModelSpec]):
    """Read-only mapping key -> :class:`ModelSpec`, loaded on first access."""

    def __getitem__(self, key: str) -> ModelSpec:
        table = load_models()
        if key not in table:
            raise UnknownName("model", key, table)
        return table[key]

    def __iter__(self) -> Iterator[str]:
        return iter(load_models())

    def __len__(self) -> int:
        return len(load_models())


#: Model key -> :class:`ModelSpec` (``llama-3-8b``, ``llama-3-70b``, ``llama-2-7b``,
#: ``llama-2-70b``, ``mixtral-8x7b``).
MODELS: Mapping[str, ModelSpec] = _Catalogue()
