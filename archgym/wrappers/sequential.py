"""One knob per step: a ``Discrete``-action, sequential-decision view of a design env.

An ArchGym env takes a whole design per step (``MultiDiscrete`` actions), which
DQN and other ``Discrete``-only learners cannot act in. :class:`SequentialDesign`
turns one design into an episode of ``n`` decisions, one per design parameter
("knob") in the design space's order; the design is evaluated once, when its
last knob is set. So every episode costs exactly one simulator call, and an
agent given ``B`` evaluations trains for ``B * n`` timesteps.

Out-of-range indices wrap around (``index = action % n_i``) rather than being
penalised. That keeps every action valid and every episode one evaluation (a
penalty would end or waste episodes and mix an invented reward into the
objective's scale), keeps the env's reward exactly the objective's (so results
compare with every other agent's), and keeps the transition deterministic given
the observation (which says which knob is next), so value-based learners see a
well-defined MDP; the only cost is that uniform exploration favours some values
of small parameters by at most a factor of two. Learners that support action
masks (e.g. ``MaskablePPO`` of sb3-contrib) can avoid aliases altogether
through :meth:`SequentialDesign.action_masks`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import Env, Wrapper, spaces
from gymnasium.utils import RecordConstructorArgs

from archgym.errors import ConfigError, InvalidAction

__all__ = ["SequentialDesign"]


class SequentialDesign(Wrapper, RecordConstructorArgs):
    """Set one design parameter per step; evaluate the design when all are set (DQN, PPO).

    ## Description
    An episode sets the ``n`` parameters of the wrapped env's ``MultiDiscrete``
    action space one after the other, in order; its last step evaluates the
    whole design with one call of the wrapped env's ``step`` (one simulator
    call). The wrapped env is reset at every ``reset``. Wrappers that read
    each step's design and metrics, such as
    :class:`~archgym.datalog.RecordEvaluations`, belong inside this one
    (``SequentialDesign(RecordEvaluations(gym.make(...), ...))``), where one
    step is one design.

    ## Action Space
    ``Discrete(max_i n_i)``, with ``n_i`` the number of values of parameter
    ``i``. At step ``t`` the action ``a`` selects value index ``a % n_t`` of
    parameter ``t`` (see the module docstring for why indices wrap around);
    :meth:`action_masks` marks ``a < n_t``. An action that is not an integer
    in ``[0, max_i n_i)`` raises :class:`~archgym.errors.InvalidAction`.

    ## Observation Space
    ``Box(float32)`` of length ``sum(n_i) + n + m``, the concatenation of

    * ``sum(n_i)`` entries: a one-hot block per parameter (its chosen value),
      all zeros while it is unset;
    * ``n`` entries: one-hot of the parameter to set next (all zeros once the
      design is complete);
    * ``m`` entries: the wrapped env's observation (for ArchGym envs the
      normalised metrics and a validity flag): its ``reset`` observation until
      the design is evaluated, then that evaluation's observation.

    ## Rewards
    0.0 for each of the first ``n - 1`` steps; the wrapped env's reward for
    the design at the last step. Discounting scales every episode's return by
    the same ``gamma ** (n - 1)``, so it does not change which design is best.

    ## Episode End
    The episode terminates (``terminated=True``) at its ``n``-th step, when
    the design is complete; a complete design has no next state. The wrapped
    env's own ``terminated``/``truncated`` flags of that step are not passed
    on. Stepping after the end raises :class:`~archgym.errors.InvalidAction`.

    ## Info
    Steps before the last: ``knob`` (the parameter just set) and ``index``
    (its value index). The last step: the wrapped env's info (``design``,
    ``metrics``, ``target_met``, ...).

    ## Arguments
    * ``env``: an env with a 1-D ``MultiDiscrete`` action space and a 1-D
      ``Box`` observation space (any ArchGym env, e.g. from ``gym.make``).

    Example:
        >>> import gymnasium as gym, archgym
        >>> from archgym.wrappers import SequentialDesign
        >>> env = SequentialDesign(gym.make("archgym/DRAMController-v0"))
        >>> env.action_space, env.n_knobs
        (Discrete(8), 10)

    Raises:
        ConfigError: ``env``'s spaces are not as described under Arguments.

    Attributes:
        nvec: Number of values of each parameter, ``int64`` of shape ``(n,)``.
        n_knobs: Number of parameters ``n`` (steps per episode).
        knob_names: Parameter names (the design space's, else ``"knob<i>"``).
    """

    def __init__(self, env: Env):
        action_space, obs_space = env.action_space, env.observation_space
        if not isinstance(action_space, spaces.MultiDiscrete) or action_space.nvec.ndim != 1:
            raise ConfigError(
                f"SequentialDesign needs a 1-D MultiDiscrete action space, got {action_space}"
            )
        if not isinstance(obs_space, spaces.Box) or len(obs_space.shape) != 1:
            raise ConfigError(
                f"SequentialDesign needs a 1-D Box observation space, got {obs_space}"
            )
        RecordConstructorArgs.__init__(self)
        Wrapper.__init__(self, env)
        self.nvec = np.asarray(action_space.nvec, dtype=np.int64)
        self.n_knobs = len(self.nvec)
        space = getattr(env.unwrapped, "design_space", None)
        names = getattr(space, "names", None)
        self.knob_names: tuple[str, ...] = (
            tuple(names) if names is not None and len(names) == self.n_knobs
            else tuple(f"knob{i}" for i in range(self.n_knobs))
        )
        self._offsets = np.concatenate(([0], np.cumsum(self.nvec)))
        n_choice = int(self._offsets[-1])
        self._n_actions = int(self.nvec.max())
        self.action_space = spaces.Discrete(self._n_actions)
        self.observation_space = spaces.Box(
            low=np.concatenate((np.zeros(n_choice + self.n_knobs), obs_space.low)).astype(
                np.float32),
            high=np.concatenate((np.ones(n_choice + self.n_knobs), obs_space.high)).astype(
                np.float32),
            dtype=np.float32,
        )
        self._index = np.zeros(self.n_knobs, dtype=np.int64)
        self._position = self.n_knobs  # no episode yet
        self._inner_obs = np.zeros(obs_space.shape, dtype=np.float32)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Reset the wrapped env and start a new design with no knob set."""
        obs, info = self.env.reset(seed=seed, options=options)
        self._index[:] = 0
        self._position = 0
        self._inner_obs = np.asarray(obs, dtype=np.float32)
        return self._observation(), info

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Set the next knob to ``action % n_t``; evaluate the design after the last knob."""
        if self._position >= self.n_knobs:
            raise InvalidAction("the episode is over (every knob is set): call reset() first")
        if not self.action_space.contains(action):
            raise InvalidAction(f"action {action!r} is not in the action space {self.action_space}")
        position = self._position
        self._index[position] = int(action) % int(self.nvec[position])
        self._position += 1
        if self._position < self.n_knobs:
            info = {"knob": self.knob_names[position], "index": int(self._index[position])}
            return self._observation(), 0.0, False, False, info
        obs, reward, _, _, info = self.env.step(self._index.copy())
        self._inner_obs = np.asarray(obs, dtype=np.float32)
        return self._observation(), float(reward), True, False, info

    def action_masks(self) -> np.ndarray:
        """Which actions name a value of the knob to set next, without wrapping.

        Returns:
            Boolean array of shape ``(max_i n_i,)``: ``a < n_t`` (all True
            once the design is complete).
        """
        mask = np.ones(self._n_actions, dtype=np.bool_)
        if self._position < self.n_knobs:
            mask[int(self.nvec[self._position]):] = False
        return mask

    def _observation(self) -> np.ndarray:
        choices = np.zeros(int(self._offsets[-1]) + self.n_knobs, dtype=np.float32)
        done = self._offsets[: self._position] + self._index[: self._position]
        choices[done] = 1.0
        if self._position < self.n_knobs:
            choices[int(self._offsets[-1]) + self._position] = 1.0
        return np.concatenate((choices, self._inner_obs))
