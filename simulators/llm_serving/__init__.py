"""Analytical LLM inference serving-cluster simulator (the Vidur / ASTRA-sim class of system DSE).

``LLMServingSimulator`` plays a request trace (1,000 requests in a few tens of
milliseconds) against a cluster of model replicas: per-iteration times from an
operator-level roofline model of each decoder layer (GEMMs, attention, norms,
tensor-parallel all-reduces, pipeline hand-offs), a discrete-event serving
loop with vLLM / Orca / Sarathi-Serve scheduling, a paged KV cache with
preemption, and a router.

    from archgym.simulators.llm_serving import LLMServingSimulator
    sim = LLMServingSimulator()
    sim.evaluate(sim.design_space.default(), "llama-3-70b/azure-conv")
"""

from archgym.simulators.llm_serving.hardware import ACCELERATORS, PRECISIONS, Accelerator
from archgym.simulators.llm_serving.memory import (
    MemoryPlan,
    kv_bytes_per_token_per_gpu,
    plan_memory,
    weight_bytes_per_gpu,
)
from archgym.simulators.llm_serving.models import MODELS, ModelSpec
from archgym.simulators.llm_serving.operators import IterationModel, iteration_time
from archgym.simulators.llm_serving.scheduler import POLICIES, ROUTINGS
from archgym.simulators.llm_serving.simulator import LLMServingSimulator, ServingResult
from archgym.simulators.llm_serving.space import DESIGN_KEYS, GPU_BUDGET, llm_serving_space
from archgym.simulators.llm_serving.traces import Trace, generate_trace, load_trace
from archgym.simulators.llm_serving.workloads import NAMES, ServingWorkload, resolve_workload

#: Names of the shipped workloads (``MODEL/TRACE``).
WORKLOADS = NAMES

__all__ = [
    "ACCELERATORS",
    "DESIGN_KEYS",
    "GPU_BUDGET",
    "MODELS",
    "POLICIES",
    "PRECISIONS",
    "ROUTINGS",
    "WORKLOADS",
    "Accelerator",
    "IterationModel",
    "LLMServingSimulator",
    "MemoryPlan",
    "ModelSpec",
    "ServingResult",
    "ServingWorkload",
    "Trace",
    "generate_trace",
    "iteration_time",
    "kv_bytes_per_token_per_gpu",
    "llm_serving_space",
    "load_trace",
    "plan_memory",
    "resolve_workload",
    "weight_bytes_per_gpu",
]
