"""The agent registry and hyperparameter specifications."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import archgym.agents as agents
from archgym.agents import Agent, HyperParameter
from archgym.errors import ConfigError, UnknownName
from tests.toysim import toy_space

ALL = [
    "random_walk", "grid", "ga", "aco", "bo", "tpe", "cmaes", "qmc", "ppo", "sac", "marl",
]


def test_list_agents_names_every_agent_of_the_issue():
    assert agents.list_agents() == ALL


@pytest.mark.parametrize("name", ALL)
def test_defaults_are_valid_and_make_resolves_them(name):
    cls = agents.get_agent(name)
    assert issubclass(cls, Agent) and cls.name == name
    specs = cls.hyperparameters()
    for spec in specs.values():
        assert spec.validate(spec.default, name) == spec.default or spec.default is None
        assert spec.doc and spec.name in (cls.__doc__ or "")  # documented in the class
        json.dumps(spec.to_dict())
    agent = agents.make(name, toy_space(), seed=3)
    assert dict(agent.hp) == {n: s.default for n, s in specs.items()}
    assert agent.seed == 3


def test_unknown_agent_suggests_close_names():
    with pytest.raises(UnknownName, match=r"unknown agent 'tpee'.*Did you mean 'tpe'"):
        agents.make("tpee", toy_space())


def test_unknown_hyperparameter_suggests_close_names():
    with pytest.raises(UnknownName, match=r"unknown ga hyperparameter 'populaton'.*'population'"):
        agents.make("ga", toy_space(), populaton=8)


@pytest.mark.parametrize(
    ("name", "hp", "message"),
    [
        ("ga", {"population": 1}, r"'population' must be int in \[2, 1024\], got 1"),
        ("aco", {"evaporation": 1.5}, r"'evaporation' must be float in \[0.0, 1.0\], got 1.5"),
        ("ppo", {"n_steps": 2.5}, r"'n_steps' must be int .* got 2.5"),
        ("tpe", {"multivariate": "yes"}, r"'multivariate' must be bool, got 'yes'"),
        ("sac", {"ent_coef": "manual"}, r"'ent_coef' must be float in \[0.0, 10.0\] or one of"),
        ("ppo", {"batch_size": 64, "n_steps": 32}, r"batch_size \(64\) must be <= n_steps"),
    ],
)
def test_out_of_range_values_raise_config_error_naming_the_value(name, hp, message):
    with pytest.raises(ConfigError, match=message):
        agents.make(name, toy_space(), **hp)


def test_values_are_canonicalised():
    agent = agents.make("sac", toy_space(), ent_coef=0.2, learning_starts=10.0)
    assert agent.hp["ent_coef"] == 0.2 and agent.hp["learning_starts"] == 10
    assert isinstance(agent.hp["learning_starts"], int)
    assert agents.make("sac", toy_space()).hp["ent_coef"] == "auto"


@pytest.mark.parametrize("bad", [-1, 1.5, True, "0"])
def test_bad_seed_or_budget(bad, toy_env):
    with pytest.raises(ConfigError, match="seed must be a non-negative int"):
        agents.make("random_walk", toy_space(), seed=bad)
    agent = agents.make("random_walk", toy_space(), seed=0)
    with pytest.raises(ConfigError, match="budget must be an integer >= 1"):
        agent.run(toy_env, bad if bad != 1.5 else 0)


def test_agent_rejects_an_env_with_another_design_space(toy_env):
    from tests.agents.synthetic import SepSimulator

    agent = agents.make("tpe", SepSimulator().design_space, seed=0)
    with pytest.raises(ConfigError, match="different design space"):
        agent.run(toy_env, 5)


def test_register_a_custom_agent_class(toy_env):
    class Fixed(Agent):
        """Always the default design. Hyperparameters: none."""

        name = "fixed"

        def ask(self):
            return self.space.default()

        def tell(self, design, reward, metrics, info):
            self.told = reward

    agents.register_agent("fixed", Fixed)
    try:
        result = agents.make("fixed", toy_space(), seed=0).run(toy_env, 3)
    finally:
        agents.AGENTS.unregister("fixed")
    assert [e.design for e in result.history] == [toy_space().default()] * 3
    with pytest.raises(ConfigError, match="entry point"):
        agents.register_agent("bad", object)


def test_hyperparameter_spec_describe():
    spec = HyperParameter("x", "float", "auto", "doc", low=0.0, high=1.0, choices=("auto",))
    assert spec.describe() == "float in [0.0, 1.0] or one of {'auto'}"
    assert spec.validate("auto", "a") == "auto" and spec.validate(1, "a") == 1.0


def test_listing_agents_imports_no_heavy_dependency():
    code = (
        "import sys, archgym.agents as a\n"
        "for n in a.list_agents(): a.get_agent(n).hyperparameters()\n"
        "print(sorted(m for m in ('torch', 'optuna', 'stable_baselines3', 'pettingzoo')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_custom_agent_example_in_the_base_docstring_works(toy_env):
    import textwrap

    import agents.base as base

    doc = base.__doc__
    code = textwrap.dedent(doc[doc.index("    import numpy as np") :])
    setup, _, usage = code.partition('register_agent("one_plus_one", OnePlusOne)\n')
    namespace: dict = {}
    exec(setup + 'register_agent("one_plus_one", OnePlusOne)\n', namespace)
    try:
        space = toy_env.unwrapped.design_space
        agent = agents.make("one_plus_one", space, seed=0, n_mutations=2)
        result = agent.run(toy_env, 60)
    finally:
        agents.AGENTS.unregister("one_plus_one")
    assert "agents.make(\"one_plus_one\"" in usage and result.n_evaluations == 60
    # a (1+1) search on the separable toy improves on its first design
    assert result.best_reward > result.history[0].reward
    assert all(space.is_valid(e.design) for e in result.history)
