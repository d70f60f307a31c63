"""``ga``: a genetic algorithm with elitism, as a thin adapter over Optuna's NSGA-II sampler.

Why Optuna's ``NSGAIISampler`` (rather than pymoo or a hand-written GA): with
one objective NSGA-II's non-dominated sorting reduces to sorting by reward,
so it is a plain generational GA — binary tournament selection, uniform
crossover (probability ``crossover_prob``, genes swapped with
``swapping_prob``) and per-gene mutation to a random value
(``mutation_prob``) — that already handles categorical and integer genes,
speaks ask/tell, and shares the study machinery of the other Optuna agents;
pymoo would add a dependency and a second integration for the same thing.

The one part added here is elitism: NSGA-II normally keeps the best
``population`` individuals of parents and children together. This agent
keeps the best ``elitism`` individuals of that pool and fills the rest of the
next parent population with the best children of the newest generation, so
``elitism = population`` is NSGA-II's (mu + lambda) survival and
``elitism = 0`` a generational GA.
"""

from __future__ import annotations

from typing import Any

from .hyperparameters import HyperParameter
from .optuna_agents import OptunaAgent

__all__ = ["GeneticAlgorithm"]


def _elitist_sampler_class() -> type:
    from optuna.samplers import NSGAIISampler

    class ElitistNSGAII(NSGAIISampler):
        """NSGA-II whose parent selection keeps ``elitism`` elites (single objective)."""

        def __init__(self, *, elitism: int, **kwargs: Any):
            super().__init__(**kwargs)
            self._elitism = elitism

        def select_parent(self, study: Any, generation: int) -> list[Any]:
            children = self.get_population(study, generation - 1)
            parents = self.get_parent_population(study, generation - 1)
            size = int(self.population_size or 0)

            def key(t: Any) -> float:
                return t.value

            ranked = sorted(children + parents, key=key, reverse=True)
            elite = ranked[: min(self._elitism, size)]
            chosen = {t._trial_id for t in elite}
            rest = [t for t in sorted(children, key=key, reverse=True)
                    if t._trial_id not in chosen]
            out = elite + rest[: size - len(elite)]
            if len(out) < size:  # too few children (failed trials): top up from the pool
                out += [t for t in ranked if t._trial_id not in {u._trial_id for u in out}][
                    : size - len(out)
                ]
            return out

    return ElitistNSGAII


class GeneticAlgorithm(OptunaAgent):
    """Genetic algorithm (see the module docstring).

    Hyperparameters:
        population: Individuals per generation.
        mutation_prob: Per-gene mutation probability (``None``: 1 / number of parameters).
        crossover_prob: Probability that a child is made by crossover.
        swapping_prob: Probability of taking each gene from the second parent.
        elitism: Best individuals carried over from parents and children.
    """

    name = "ga"
    HYPERPARAMETERS = (
        HyperParameter("population", "int", 16, "individuals per generation", low=2, high=1024),
        HyperParameter("mutation_prob", "float", None,
                       "per-gene mutation probability (None: 1 / number of parameters)",
                       low=0.0, high=1.0, nullable=True),
        HyperParameter("crossover_prob", "float", 0.9, "probability of crossover per child",
                       low=0.0, high=1.0),
        HyperParameter("swapping_prob", "float", 0.5,
                       "probability of taking a gene from the second parent", low=0.0, high=1.0),
        HyperParameter("elitism", "int", 2, "best individuals kept across generations",
                       low=0, high=1024),
    )

    def make_sampler(self) -> Any:
        return _elitist_sampler_class()(
            elitism=self.hp["elitism"],
            population_size=self.hp["population"],
            mutation_prob=self.hp["mutation_prob"],
            crossover_prob=self.hp["crossover_prob"],
            swapping_prob=self.hp["swapping_prob"],
            seed=self.int_seed(2),
        )
