"""Gymnasium wrappers for ArchGym envs.

* :class:`EvaluationTime` (:mod:`.timing`): every env made by ``gym.make``
  gets it; adds ``info["eval_seconds"]``.
* :class:`SequentialDesign` (:mod:`.sequential`): one knob per step with
  ``Discrete`` actions, one simulator call per episode, for DQN, PPO and other
  discrete-action learners.
* :class:`BoxActions` (:mod:`.box`): ``Box(-1, 1)`` actions binned to the
  design space, for SAC, TD3 and other continuous-action learners
  (:func:`box_to_index` and :func:`index_to_box` are its mapping).

The plain env (``MultiDiscrete`` actions, one design per step) already suits
PPO, A2C and black-box optimisers.
"""

from archgym.wrappers.box import BoxActions, box_to_index, index_to_box
from archgym.wrappers.sequential import SequentialDesign
from archgym.wrappers.timing import EvaluationTime

__all__ = ["BoxActions", "EvaluationTime", "SequentialDesign", "box_to_index", "index_to_box"]
