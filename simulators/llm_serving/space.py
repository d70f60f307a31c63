"""The serving-cluster knobs: the one declaration of ``archgym/LLMServing-v0``'s space.

========================  =================================  ==============================
parameter                 values                             meaning
========================  =================================  ==============================
``accelerator``           a100-80gb-sxm, h100-sxm, h200-sxm  GPU type (``accelerators.yaml``)
``tensor_parallel``       1, 2, 4, 8                         TP degree within an NVLink node
``pipeline_parallel``     1, 2, 4                            pipeline stages per replica
``replicas``              1, 2, 3, 4, 6, 8, 12, 16           data-parallel model replicas
``max_batch_size``        8, 16, ..., 512                    running requests per replica
``max_batched_tokens``    512, 1024, ..., 16384              tokens per iteration (vllm, orca)
``scheduler``             vllm, orca, sarathi                batching policy (:mod:`.scheduler`)
``chunk_size``            256, 512, 1024, 2048, 4096         sarathi's token budget per iteration
``kv_block_size``         8, 16, 32                          tokens per paged KV block
``gpu_memory_util_pct``   80, 85, 90, 95                     share of HBM the server may use (%)
``routing``               round_robin, least_outstanding     router across replicas
========================  =================================  ==============================

Constraint: ``tensor_parallel x pipeline_parallel x replicas <=`` :data:`GPU_BUDGET`
(two 8-GPU nodes). The defaults are a common vLLM-style deployment: 2 replicas
of TP 4 on H100, Sarathi chunks of 512 tokens, 16-token blocks, 90% memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archgym.parameters import Categorical, IntegerChoices, PowerOfTwo
from archgym.simulators.llm_serving.scheduler import POLICIES, ROUTINGS
from archgym.space import Constraint, DesignSpace

__all__ = ["ACCELERATOR_KEYS", "DESIGN_KEYS", "GPU_BUDGET", "gpus_of", "llm_serving_space",
           "within_gpu_budget"]

#: Most GPUs a design may use (two 8-GPU nodes).
GPU_BUDGET = 16
#: The accelerator knob's values (keys of ``accelerators.yaml``).
ACCELERATOR_KEYS = ("a100-80gb-sxm", "h100-sxm", "h200-sxm")
#: Parameter names, in the order of the space.
DESIGN_KEYS = ("accelerator", "tensor_parallel", "pipeline_parallel", "replicas",
               "max_batch_size", "max_batched_tokens", "scheduler", "chunk_size",
               "kv_block_size", "gpu_memory_util_pct", "routing")


def gpus_of(design: Mapping[str, Any]) -> int:
    """GPUs a design uses: ``tensor_parallel x pipeline_parallel x replicas``."""
    return int(design["tensor_parallel"]) * int(design["pipeline_parallel"]) \
        * int(design["replicas"])


def within_gpu_budget(design: Mapping[str, Any]) -> bool:
    """Whether a design uses at most :data:`GPU_BUDGET` GPUs (module level: picklable)."""
    return gpus_of(design) <= GPU_BUDGET


def llm_serving_space() -> DesignSpace:
    """The design space of ``archgym/LLMServing-v0`` (table in the module docstring)."""
    return DesignSpace(
        {
            "accelerator": Categorical(list(ACCELERATOR_KEYS), default="h100-sxm"),
            "tensor_parallel": IntegerChoices([1, 2, 4, 8], default=4),
            "pipeline_parallel": IntegerChoices([1, 2, 4], default=1),
            "replicas": IntegerChoices([1, 2, 3, 4, 6, 8, 12, 16], default=2),
            "max_batch_size": PowerOfTwo(8, 512, default=128),
            "max_batched_tokens": IntegerChoices([512, 1024, 2048, 4096, 8192, 16384],
                                                 default=4096),
            "scheduler": Categorical(list(POLICIES), default="sarathi"),
            "chunk_size": IntegerChoices([256, 512, 1024, 2048, 4096], default=512),
            "kv_block_size": IntegerChoices([8, 16, 32], default=16),
            "gpu_memory_util_pct": IntegerChoices([80, 85, 90, 95], default=90),
            "routing": Categorical(list(ROUTINGS), default="least_outstanding"),
        },
        constraints=[
            Constraint(within_gpu_budget,
                       f"tensor_parallel x pipeline_parallel x replicas <= {GPU_BUDGET} GPUs"),
        ],
    )
