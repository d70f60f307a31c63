"""Optuna-based agents: ``bo``, ``tpe``, ``cmaes``, ``qmc`` (and the base of ``ga``).

Each is a thin adapter over an Optuna sampler.

Each agent owns an in-memory Optuna study (maximising the reward) and drives
it with ask/tell on the design space's Optuna distributions
(:meth:`DesignSpace.optuna_distributions`: categoricals stay categorical,
ordered parameters are integer indices). Proposals that break a declared
constraint are told to Optuna as failed trials and asked again (up to 100
times), then replaced by a uniformly random valid design, which is added to
the study as a completed trial once evaluated. Optuna's log lines and
experimental-feature warnings are silenced while an agent calls it.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

from archgym.errors import InvalidDesign
from archgym.space import Design
from archgym.threads import torch_threads

from .base import Agent
from .hyperparameters import HyperParameter

__all__ = ["CMAES", "TPE", "BayesianOptimization", "OptunaAgent", "QuasiMonteCarlo"]

_MAX_PROPOSALS = 100


@contextlib.contextmanager
def quiet_optuna() -> Iterator[None]:
    """Silence Optuna's INFO log lines and its warnings for the duration.

    Also runs torch (used by ``GPSampler``) on one thread (see :mod:`archgym.threads`).
    """
    import optuna

    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        with warnings.catch_warnings(), torch_threads(1):
            warnings.simplefilter("ignore")
            yield
    finally:
        optuna.logging.set_verbosity(previous)


class OptunaAgent(Agent):
    """Base of the Optuna adapters: subclasses implement :meth:`make_sampler`."""

    name = "optuna"

    def make_sampler(self) -> Any:
        """The Optuna sampler, seeded from the agent's seed."""
        raise NotImplementedError

    def distributions(self) -> dict[str, Any]:
        """The Optuna search space (override to change how parameters are presented)."""
        return self.space.optuna_distributions()

    def to_design(self, params: Mapping[str, Any]) -> Design:
        """Optuna trial parameters -> design (inverse of :meth:`distributions`)."""
        return self.space.from_optuna(params)

    def to_params(self, design: Design) -> dict[str, Any]:
        """Design -> Optuna trial parameters."""
        return self.space.to_optuna(design)

    def setup(self) -> None:
        self._study: Any = None
        self._pending: tuple[Any, Design] | None = None

    @property
    def study(self) -> Any:
        """The agent's Optuna study (created on first use)."""
        if self._study is None:
            import optuna

            with quiet_optuna():
                self._study = optuna.create_study(
                    direction="maximize", sampler=self.make_sampler()
                )
            self._dists = self.distributions()
        return self._study

    def ask(self) -> Design:
        import optuna

        study = self.study
        with quiet_optuna():
            for _ in range(_MAX_PROPOSALS):
                trial = study.ask(self._dists)
                try:
                    design = self.to_design(trial.params)
                except InvalidDesign:
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                    continue
                self._pending = (trial, design)
                return design
        self._pending = None
        return self.space.sample(self.rng)

    def tell(
        self, design: Design, reward: float, metrics: Mapping[str, float], info: Mapping[str, Any]
    ) -> None:
        import optuna

        study = self.study
        finite = math.isfinite(reward)
        with quiet_optuna():
            if self._pending is not None and self._pending[1] == design:
                trial = self._pending[0]
                if finite:
                    study.tell(trial, float(reward))
                else:
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
            elif finite:
                study.add_trial(
                    optuna.trial.create_trial(
                        params=self.to_params(design), distributions=self._dists,
                        value=float(reward),
                    )
                )
        self._pending = None


class BayesianOptimization(OptunaAgent):
    """Gaussian-process Bayesian optimisation (Optuna ``GPSampler``).

    Optuna maximises the acquisition function by scoring
    ``n_preliminary_samples`` random designs and running ``n_local_search``
    local searches from the best of them. Optuna's own settings (2048 and 10)
    cost 0.3–2 s per proposal on a 2-core machine; the defaults here (512 and
    3) are about 6x cheaper and reach the optimum of the test suite's
    separable function just as fast. Optuna exposes these two settings only as
    private attributes of the sampler; if a future Optuna drops them, a
    warning says so and Optuna's own values apply.

    Hyperparameters:
        n_startup_trials: Random designs evaluated before the GP is fitted.
        deterministic_objective: Model the reward as noise-free.
        n_preliminary_samples: Random designs scored per acquisition optimisation.
        n_local_search: Local searches per acquisition optimisation.
    """

    name = "bo"
    HYPERPARAMETERS = (
        HyperParameter("n_startup_trials", "int", 10, "random designs before the GP is used",
                       low=1, high=10_000),
        HyperParameter("deterministic_objective", "bool", True,
                       "model the reward as noise-free (simulators are deterministic)"),
        HyperParameter("n_preliminary_samples", "int", 512,
                       "random designs scored per acquisition optimisation",
                       low=16, high=65_536, log=True),
        HyperParameter("n_local_search", "int", 3, "local searches per acquisition optimisation",
                       low=2, high=100),
    )

    def make_sampler(self) -> Any:
        from optuna.samplers import GPSampler

        sampler = GPSampler(
            seed=self.int_seed(2),
            n_startup_trials=self.hp["n_startup_trials"],
            deterministic_objective=self.hp["deterministic_objective"],
        )
        for attr, key in (("_n_preliminary_samples", "n_preliminary_samples"),
                          ("_n_local_search", "n_local_search")):
            if hasattr(sampler, attr):
                setattr(sampler, attr, self.hp[key])
            else:
                warnings.warn(
                    f"agent 'bo': this Optuna version has no GPSampler.{attr}; "
                    f"hyperparameter {key!r} is ignored",
                    RuntimeWarning,
                    stacklevel=2,
                )
        return sampler


class TPE(OptunaAgent):
    """Tree-structured Parzen estimator (Optuna ``TPESampler``).

    Hyperparameters:
        n_startup_trials: Random designs evaluated before TPE is used.
        n_ei_candidates: Candidates scored by expected improvement per proposal.
        multivariate: Model parameters jointly instead of independently.
    """

    name = "tpe"
    HYPERPARAMETERS = (
        HyperParameter("n_startup_trials", "int", 10, "random designs before TPE is used",
                       low=1, high=10_000),
        HyperParameter("n_ei_candidates", "int", 24, "candidates scored per proposal",
                       low=1, high=10_000, log=True),
        HyperParameter("multivariate", "bool", False, "model parameters jointly"),
    )

    def make_sampler(self) -> Any:
        from optuna.samplers import TPESampler

        return TPESampler(
            seed=self.int_seed(2),
            n_startup_trials=self.hp["n_startup_trials"],
            n_ei_candidates=self.hp["n_ei_candidates"],
            multivariate=self.hp["multivariate"],
        )


class CMAES(OptunaAgent):
    """CMA-ES with margin (Optuna ``CmaEsSampler``, needs the ``cmaes`` package).

    CMA-ES is a continuous optimiser and Optuna's CMA-ES ignores categorical
    distributions (it would sample them at random), so this agent presents
    *every* parameter, categorical ones included, as an integer index; the
    margin keeps the search from collapsing onto one index.

    Hyperparameters:
        sigma0: Initial step size, as a fraction of each index range.
        popsize: Designs per CMA-ES generation (``None``: ``4 + 3 ln(n)``).
        with_margin: Use CMA-ES with margin for the integer indices.
    """

    name = "cmaes"
    HYPERPARAMETERS = (
        HyperParameter("sigma0", "float", None,
                       "initial step size in index units (None: range / 6)",
                       low=1e-3, high=1e3, log=True, nullable=True),
        HyperParameter("popsize", "int", None, "designs per generation (None: 4 + 3 ln n)",
                       low=2, high=1024, nullable=True),
        HyperParameter("with_margin", "bool", True, "CMA-ES with margin for integers"),
    )

    def distributions(self) -> dict[str, Any]:
        from optuna.distributions import IntDistribution

        return {
            n: IntDistribution(0, int(k) - 1)
            for n, k in zip(self.space.names, self.space.nvec, strict=True)
        }

    def to_design(self, params: Mapping[str, Any]) -> Design:
        return self.space.validate(
            self.space.from_index([int(params[n]) for n in self.space.names])
        )

    def to_params(self, design: Design) -> dict[str, Any]:
        return dict(zip(self.space.names, self.space.to_index(design).tolist(), strict=True))

    def make_sampler(self) -> Any:
        from optuna.samplers import CmaEsSampler

        try:
            import cmaes  # noqa: F401
        except ImportError as exc:
            raise ImportError(
                "agent 'cmaes' needs the 'cmaes' package: pip install cmaes"
            ) from exc
        return CmaEsSampler(
            seed=self.int_seed(2),
            sigma0=self.hp["sigma0"],
            popsize=self.hp["popsize"],
            with_margin=self.hp["with_margin"],
        )


class QuasiMonteCarlo(OptunaAgent):
    """Scrambled Sobol quasi-random sampling (Optuna ``QMCSampler``).

    Hyperparameters:
        scramble: Scramble the Sobol sequence with the seed (unscrambled, every
            seed gives the same designs).
    """

    name = "qmc"
    HYPERPARAMETERS = (
        HyperParameter("scramble", "bool", True, "scramble the Sobol sequence with the seed"),
    )

    def make_sampler(self) -> Any:
        from optuna.samplers import QMCSampler

        return QMCSampler(qmc_type="sobol", scramble=self.hp["scramble"], seed=self.int_seed(2))
