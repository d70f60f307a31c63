"""ArchGym's environments, one module per hardware target (installed as ``archgym.envs``).

This file only registers ids with string entry points; a module and its
simulator are imported when its env is first made.

- ``archgym/DRAMController-v0``: :mod:`archgym.envs.dram` (simulator ``dram``)
- ``archgym/DNNAccelerator-v0``: :mod:`archgym.envs.accelerator` (simulator ``accelerator``)
- ``archgym/SoC-v1``: :mod:`archgym.envs.soc` (simulator ``soc``; v0 was removed when
  v1 changed its behaviour, and Gymnasium names v1 when v0 is asked for)
- ``archgym/LLMServing-v0``: :mod:`archgym.envs.llm_serving` (simulator ``llm_serving``)
"""

from archgym.registration import register_env

register_env("DRAMController-v0", "archgym.envs.dram:DRAMControllerEnv")
register_env("DNNAccelerator-v0", "archgym.envs.accelerator:DNNAcceleratorEnv")
register_env("SoC-v1", "archgym.envs.soc:SoCEnv")
register_env("LLMServing-v0", "archgym.envs.llm_serving:LLMServingEnv")
