"""The one interface every search agent implements.

A black-box agent implements :meth:`Agent.ask` (propose a valid design) and
:meth:`Agent.tell` (learn from its evaluation); the base class's
:meth:`Agent.run` loop asks, steps the env with ``space.to_index(design)``,
tells, and stops after exactly ``budget`` simulator evaluations. Agents that
learn through the env (PPO, SAC, multi-agent PPO) override :meth:`Agent.run`
with the same budget meaning.

Hyperparameters are data (:class:`~archgym.agents.hyperparameters.HyperParameter`):
a subclass lists them in ``HYPERPARAMETERS``; the constructor validates the
keywords and exposes the resolved values as ``self.hp``.

Example — a complete custom agent (a (1+1) evolution strategy that changes one
parameter of the best design so far)::

    import numpy as np
    import archgym
    from archgym.agents import Agent, HyperParameter, register_agent

    class OnePlusOne(Agent):
        \"\"\"Mutate the best design so far.

        Hyperparameters:
            n_mutations: Parameters changed per proposal.
        \"\"\"

        name = "one_plus_one"
        HYPERPARAMETERS = (
            HyperParameter("n_mutations", "int", 1, "parameters changed per proposal",
                           low=1, high=32),
        )

        def setup(self) -> None:
            self.best, self.best_reward = None, -np.inf

        def ask(self) -> dict:
            if self.best is None:
                return self.space.sample(self.rng)
            for _ in range(100):
                design = dict(self.best)
                for name in self.rng.choice(self.space.names, self.hp["n_mutations"]):
                    values = self.space[name].values
                    design[name] = values[self.rng.integers(len(values))]
                if self.space.is_valid(design):
                    return design
            return self.space.sample(self.rng)

        def tell(self, design, reward, metrics, info) -> None:
            if not info.get("invalid") and reward > self.best_reward:
                self.best, self.best_reward = design, reward

    register_agent("one_plus_one", OnePlusOne)
    env = archgym.make("archgym/DRAMController-v0", workload="cloud-1")
    agent = archgym.agents.make("one_plus_one", env.unwrapped.design_space, seed=0)
    result = agent.run(env, budget=200)
    print(result.best_reward, result.best_design)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from archgym.errors import ConfigError
from archgym.space import Design, DesignSpace

from .hyperparameters import HyperParameter, resolve_hyperparameters
from .result import Evaluation, RunRecorder, RunResult

__all__ = ["Agent", "check_budget"]


def check_budget(budget: Any) -> int:
    """Return ``budget`` as an int >= 1, or raise :class:`ConfigError`."""
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)) or budget < 1:
        raise ConfigError(f"budget must be an integer >= 1 (simulator evaluations), got {budget!r}")
    return int(budget)


class Agent:
    """Base class of every search agent.

    Args:
        space: The design space to search (``env.unwrapped.design_space``).
        seed: Makes the run reproducible; ``None`` draws fresh OS entropy.
        **hyperparameters: Values for the names in :attr:`HYPERPARAMETERS`.

    Raises:
        UnknownName: a hyperparameter is not one of the agent's.
        ConfigError: a value is outside its allowed range.
    """

    #: Registry name.
    name: ClassVar[str] = "agent"
    #: The agent's hyperparameters with defaults and allowed ranges.
    HYPERPARAMETERS: ClassVar[tuple[HyperParameter, ...]] = ()

    def __init__(self, space: DesignSpace, *, seed: int | None = None, **hyperparameters: Any):
        if not isinstance(space, DesignSpace):
            raise ConfigError(
                f"agent {self.name!r} needs a DesignSpace (env.unwrapped.design_space), "
                f"got {type(space).__name__}"
            )
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
        ):
            raise ConfigError(f"agent {self.name!r}: seed must be a non-negative int, got {seed!r}")
        self.space = space
        self.seed = None if seed is None else int(seed)
        self.hp: Mapping[str, Any] = MappingProxyType(
            resolve_hyperparameters(self.name, self.HYPERPARAMETERS, hyperparameters)
        )
        self._entropy = np.random.SeedSequence(self.seed).entropy
        self.rng = np.random.default_rng(self._seed_sequence(0))
        self.setup()

    @classmethod
    def hyperparameters(cls) -> dict[str, HyperParameter]:
        """Name -> :class:`HyperParameter` (default, allowed range, doc)."""
        return {h.name: h for h in cls.HYPERPARAMETERS}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hp.items())
        return f"{type(self).__name__}(seed={self.seed!r}{', ' if args else ''}{args})"

    # --------------------------------------------------------------- seeding
    def _seed_sequence(self, stream: int) -> np.random.SeedSequence:
        return np.random.SeedSequence(self._entropy, spawn_key=(stream,))

    def int_seed(self, stream: int) -> int:
        """A 32-bit seed for a library RNG, derived from the agent's seed and ``stream``."""
        return int(self._seed_sequence(stream).generate_state(1, dtype=np.uint32)[0])

    # ------------------------------------------------------ black-box protocol
    def setup(self) -> None:
        """Build the agent's state after ``hp`` and ``rng`` are set (override as needed)."""

    def ask(self) -> Design:
        """Propose the next design to evaluate (a valid design of :attr:`space`)."""
        raise NotImplementedError(f"agent {self.name!r} does not implement ask()")

    def tell(
        self,
        design: Design,
        reward: float,
        metrics: Mapping[str, float],
        info: Mapping[str, Any],
    ) -> None:
        """Learn from the evaluation of a design returned by :meth:`ask`.

        Args:
            design: The evaluated design.
            reward: The env's reward (the penalty when ``info["invalid"]``).
            metrics: Raw metrics in the env's units (NaN when invalid).
            info: The env's ``info`` dict of the step.
        """
        raise NotImplementedError(f"agent {self.name!r} does not implement tell()")

    # ------------------------------------------------------------------ run
    def check_env(self, env: gym.Env) -> None:
        """Raise :class:`ConfigError` unless ``env`` searches :attr:`space`."""
        space = getattr(env.unwrapped, "design_space", None)
        if space != self.space:
            raise ConfigError(
                f"agent {self.name!r} was built for a different design space than the env's "
                f"({getattr(env.unwrapped, 'spec', None) or type(env.unwrapped).__name__})"
            )

    def start_run(
        self,
        env: gym.Env,
        budget: int,
        callback: Callable[[Evaluation], Any] | None = None,
        progress: bool = False,
    ) -> RunRecorder:
        """Check ``budget`` and ``env`` and return the recorder of a new run.

        Every :meth:`run` (the base loop and the RL agents' overrides) starts here.
        """
        budget = check_budget(budget)
        self.check_env(env)
        return RunRecorder(self.name, self.seed, budget, callback, progress)

    def run(
        self,
        env: gym.Env,
        budget: int,
        callback: Callable[[Evaluation], Any] | None = None,
        progress: bool = False,
    ) -> RunResult:
        """Search ``env`` for exactly ``budget`` simulator evaluations.

        Args:
            env: An :class:`~archgym.env.ArchEnv` (possibly wrapped) on :attr:`space`.
            budget: Number of simulator evaluations (env steps).
            callback: Called with each :class:`Evaluation` as it happens.
            progress: Show a progress bar of the evaluations (tqdm, on
                standard error; off when it is not a terminal).

        Returns:
            The run's :class:`RunResult`.
        """
        recorder = self.start_run(env, budget, callback, progress)
        env.reset(seed=self.int_seed(1))
        episode_over = False
        while not recorder.done:
            if episode_over:
                env.reset()
            design = self.ask()
            _, reward, terminated, truncated, info = env.step(self.space.to_index(design))
            evaluation = recorder.record(float(reward), info)
            self.tell(evaluation.design, evaluation.reward, evaluation.metrics, info)
            episode_over = terminated or truncated
        return recorder.finish()
