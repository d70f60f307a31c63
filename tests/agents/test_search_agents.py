"""Closed-form behaviour of the hand-written search agents (grid, ACO) and the baselines."""

from __future__ import annotations

import itertools

import numpy as np

import archgym.agents as agents
from archgym.parameters import Categorical, IntegerRange
from archgym.space import Constraint, DesignSpace
from tests.toysim import toy_space


def _small_space(constraints=()):
    return DesignSpace(
        {"a": Categorical(["x", "y", "z"]), "b": IntegerRange(0, 3)}, constraints=constraints
    )


def test_grid_visits_every_design_once_then_starts_over():
    space = _small_space()
    agent = agents.make("grid", space, seed=5)
    first = [tuple(agent.ask().values()) for _ in range(12)]
    assert sorted(first) == sorted(itertools.product("xyz", range(4)))
    assert [tuple(agent.ask().values()) for _ in range(12)] == first


def test_grid_without_shuffle_is_lexicographic_and_skips_broken_constraints():
    space = _small_space([Constraint(lambda d: d["b"] != 1, "b != 1")])
    agent = agents.make("grid", space, seed=0, shuffle=False)
    got = [tuple(agent.ask().values()) for _ in range(9)]
    assert got == [(a, b) for a in "xyz" for b in (0, 2, 3)]


def test_grid_points_thin_ordered_parameters_only():
    agent = agents.make("grid", toy_space(), seed=0, points=3)
    # categoricals keep 4, 3, 2 values; d (7 values) -> indices 0, 3, 6; e (4) -> 0, 2, 3
    assert agent.size == 4 * 3 * 2 * 3 * 3 * 3
    assert [a.tolist() for a in agent.axes[3:]] == [[0, 3, 6], [0, 2, 3], [0, 4, 9]]


def test_random_walk_is_uniform():
    space = _small_space()
    agent = agents.make("random_walk", space, seed=0)
    counts = np.zeros((3, 4))
    for _ in range(6000):
        d = agent.ask()
        counts["xyz".index(d["a"]), d["b"]] += 1
    assert np.abs(counts / 500 - 1).max() < 0.2


def test_aco_pheromone_update_closed_form():
    space = _small_space()
    agent = agents.make("aco", space, seed=0, ants=2, evaporation=0.5)
    d1, d2 = agent.ask(), agent.ask()
    assert d1 != d2
    agent.tell(d1, -3.0, {}, {"invalid": False})
    agent.tell(d2, -1.0, {}, {"invalid": False})
    # evaporate to 0.5, worst ant deposits 0, best ant deposits 1, best-so-far (= d2) deposits 1
    expected = [np.full(3, 0.5), np.full(4, 0.5)]
    i2 = space.to_index(d2)
    expected[0][i2[0]] += 2.0
    expected[1][i2[1]] += 2.0
    for got, want in zip(agent.pheromone, expected, strict=True):
        np.testing.assert_allclose(got, want)
    assert agent.best_reward == -1.0 and agent.best_index.tolist() == i2.tolist()


def test_aco_greedy_full_depth_ants_follow_the_pheromone():
    space = _small_space()
    agent = agents.make("aco", space, seed=1, ants=1, greediness=1.0, depth=2)
    d = agent.ask()
    agent.tell(d, 0.0, {}, {"invalid": False})
    agent.pheromone[0][:] = [0.1, 5.0, 0.1]
    agent.pheromone[1][:] = [0.1, 0.1, 0.1, 5.0]
    # every walk sets both parameters to their max-pheromone value
    assert d != {"a": "y", "b": 3} and agent.ask() == {"a": "y", "b": 3}
    # that design is now known: the converged colony explores a random design instead
    agent.tell({"a": "y", "b": 3}, 0.0, {}, {"invalid": False})
    assert agent.ask() not in ({"a": "y", "b": 3}, d)


def test_ga_parent_selection_keeps_elitism_best_then_best_children():
    import gymnasium as gym

    from tests.agents.conftest import SEP_ID

    env = gym.make(SEP_ID)
    agent = agents.make("ga", env.unwrapped.design_space, seed=0, population=4, elitism=1)
    agent.run(env, 12)  # generations 0, 1, 2 of 4 individuals each
    sampler, study = agent.study.sampler, agent.study
    children = sampler.get_population(study, 1)
    pool = children + sampler.get_parent_population(study, 1)
    parents = sampler.select_parent(study, 2)
    best = max(pool, key=lambda t: t.value)
    assert len(parents) == 4 and parents[0].number == best.number
    rest = sorted((t for t in children if t.number != best.number), key=lambda t: -t.value)
    assert [t.number for t in parents[1:]] == [t.number for t in rest[:3]]
