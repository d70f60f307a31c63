"""``marl``: independent PPO learners, one per design parameter (hand-written in torch).

The multi-agent formulation of Krishnan et al. (2022), trained on
:func:`archgym.multiagent.parallel_env`: each design parameter is an agent
with its own small policy (an MLP from the shared observation to logits over
its parameter's values) and its own value network; all receive the team
reward. No library trains independent learners on a PettingZoo
``ParallelEnv`` with a simulator-call budget, so the loop is written here:

1. Collect ``n_steps`` joint steps (one simulator call each): every agent
   samples its value from its policy.
2. Each agent computes GAE advantages from its value network (an episode end
   is a terminal state: with 1-step episodes the advantage is reward minus
   value) and makes ``n_epochs`` passes of minibatch updates of the PPO
   clipped objective plus ``vf_coef`` x value loss minus ``ent_coef`` x entropy.

Sampling and minibatch order use a seeded ``torch.Generator``; networks are
initialised inside ``torch.random.fork_rng`` so the global torch RNG is left
untouched. A last partial rollout is trained on when it holds at least 2 steps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

from archgym.errors import ConfigError
from archgym.threads import torch_threads

from .base import Agent
from .hyperparameters import HyperParameter
from .ppo import PPO_HYPERPARAMETERS
from .result import Evaluation, RecordingWrapper, RunResult

__all__ = ["MultiAgentPPO"]


def _mlp(torch: Any, sizes: list[int]) -> Any:
    layers: list[Any] = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


class MultiAgentPPO(Agent):
    """Independent PPO, one learner per design parameter (see the module docstring).

    Hyperparameters:
        learning_rate: Adam step size of every learner.
        n_steps: Joint steps (simulator evaluations) per rollout.
        batch_size: Minibatch size.
        n_epochs: Passes over each rollout.
        ent_coef: Entropy bonus coefficient.
        vf_coef: Value loss coefficient.
        clip_range: PPO clipping parameter.
        gamma: Discount factor (irrelevant for 1-step episodes).
        gae_lambda: GAE lambda.
        hidden_units: Units of each learner's hidden layer.

    After :meth:`run`, ``self.policies`` holds one torch policy per parameter.
    """

    name = "marl"
    HYPERPARAMETERS = (
        *PPO_HYPERPARAMETERS,
        HyperParameter("vf_coef", "float", 0.5, "value loss coefficient", low=0.0, high=10.0),
        HyperParameter(
            "hidden_units",
            "int",
            32,
            "units of each learner's hidden layer",
            low=4,
            high=1024,
            log=True,
        ),
    )

    def setup(self) -> None:
        self.policies: list[Any] = []
        self.values: list[Any] = []

    def _build(self, obs_dim: int) -> None:
        import torch

        h = self.hp["hidden_units"]
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.int_seed(4))
            self.policies = [_mlp(torch, [obs_dim, h, int(n)]) for n in self.space.nvec]
            self.values = [_mlp(torch, [obs_dim, h, 1]) for _ in self.space.nvec]
        self._optims = [
            torch.optim.Adam([*p.parameters(), *v.parameters()], lr=self.hp["learning_rate"])
            for p, v in zip(self.policies, self.values, strict=True)
        ]
        self._gen = torch.Generator().manual_seed(self.int_seed(5))

    def run(
        self,
        env: gym.Env,
        budget: int,
        callback: Callable[[Evaluation], Any] | None = None,
        progress: bool = False,
    ) -> RunResult:
        """Train the learners through ``env`` for exactly ``budget`` simulator evaluations."""
        from archgym.multiagent import parallel_env

        recorder = self.start_run(env, budget, callback, progress)
        budget = recorder.budget
        par = parallel_env(RecordingWrapper(env, recorder))
        self._build(int(np.prod(env.observation_space.shape or (1,))))
        with torch_threads(1):
            obs_dict, _ = par.reset(seed=self.int_seed(1))
            obs = obs_dict[par.possible_agents[0]]
            while not recorder.done:
                n = min(self.hp["n_steps"], budget - recorder.count)
                rollout, obs = self._collect(par, obs, n)
                if n >= 2:
                    self._update(rollout)
        return recorder.finish()

    def _collect(self, par: Any, obs: np.ndarray, n: int) -> tuple[dict[str, Any], np.ndarray]:
        import torch

        names = par.possible_agents
        obs_buf, act_buf, logp_buf, rew_buf, done_buf = [], [], [], [], []
        for _ in range(n):
            x = torch.as_tensor(obs, dtype=torch.float32)[None]
            with torch.no_grad():
                acts, logps = [], []
                for policy in self.policies:
                    probs = torch.softmax(policy(x)[0], dim=-1)
                    a = int(torch.multinomial(probs, 1, generator=self._gen))
                    acts.append(a)
                    logps.append(float(torch.log(probs[a])))
            next_obs, rewards, terms, truncs, _ = par.step(dict(zip(names, acts, strict=True)))
            done = terms[names[0]] or truncs[names[0]]
            obs_buf.append(obs)
            act_buf.append(acts)
            logp_buf.append(logps)
            rew_buf.append(rewards[names[0]])
            done_buf.append(done)
            if done:
                reset_obs, _ = par.reset()
                obs = reset_obs[names[0]]
            else:
                obs = next_obs[names[0]]
        rollout = {
            "obs": torch.as_tensor(np.array(obs_buf), dtype=torch.float32),
            "acts": torch.as_tensor(np.array(act_buf), dtype=torch.int64),
            "logp": torch.as_tensor(np.array(logp_buf), dtype=torch.float32),
            "rew": np.array(rew_buf, dtype=np.float64),
            "done": np.array(done_buf, dtype=bool),
            "last_obs": torch.as_tensor(obs, dtype=torch.float32)[None],
        }
        return rollout, obs

    def _advantages(self, value_net: Any, rollout: dict[str, Any]) -> tuple[Any, Any]:
        import torch

        with torch.no_grad():
            v = value_net(rollout["obs"])[:, 0].double().numpy()
            v_last = float(value_net(rollout["last_obs"])[0, 0])
        rew, done = rollout["rew"], rollout["done"]
        adv = np.zeros_like(rew)
        gae, gamma, lam = 0.0, self.hp["gamma"], self.hp["gae_lambda"]
        for t in reversed(range(len(rew))):
            nonterminal = 0.0 if done[t] else 1.0
            next_v = v_last if t == len(rew) - 1 else v[t + 1]
            delta = rew[t] + gamma * next_v * nonterminal - v[t]
            gae = delta + gamma * lam * nonterminal * gae
            adv[t] = gae
        returns = adv + v
        return (
            torch.as_tensor(adv, dtype=torch.float32),
            torch.as_tensor(returns, dtype=torch.float32),
        )

    def _update(self, rollout: dict[str, Any]) -> None:
        import torch

        n = len(rollout["rew"])
        batch = min(self.hp["batch_size"], n)
        clip = self.hp["clip_range"]
        for i, (policy, value, optim) in enumerate(
            zip(self.policies, self.values, self._optims, strict=True)
        ):
            adv, returns = self._advantages(value, rollout)
            for _ in range(self.hp["n_epochs"]):
                order = torch.randperm(n, generator=self._gen)
                for start in range(0, n, batch):
                    mb = order[start : start + batch]
                    if len(mb) < 2:
                        continue
                    a = adv[mb]
                    a = (a - a.mean()) / (a.std() + 1e-8)
                    logits = policy(rollout["obs"][mb])
                    logp_all = torch.log_softmax(logits, dim=-1)
                    logp = logp_all.gather(1, rollout["acts"][mb, i : i + 1])[:, 0]
                    ratio = torch.exp(logp - rollout["logp"][mb, i])
                    pg = -torch.min(ratio * a, torch.clamp(ratio, 1 - clip, 1 + clip) * a).mean()
                    v_loss = ((value(rollout["obs"][mb])[:, 0] - returns[mb]) ** 2).mean()
                    entropy = -(logp_all.exp() * logp_all).sum(-1).mean()
                    loss = pg + self.hp["vf_coef"] * v_loss - self.hp["ent_coef"] * entropy
                    optim.zero_grad()
                    loss.backward()
                    optim.step()

    def action_probabilities(self, obs: np.ndarray | None = None) -> list[np.ndarray]:
        """Each learner's probability of each value of its parameter.

        Args:
            obs: Observation (default: the all-zero reset observation).
        """
        import torch

        if not self.policies:
            raise ConfigError("agent 'marl' has no policies yet: call run() first")
        in_dim = self.policies[0][0].in_features
        x = (
            torch.zeros((1, in_dim))
            if obs is None
            else torch.as_tensor(obs, dtype=torch.float32)[None]
        )
        with torch.no_grad():
            return [torch.softmax(p(x)[0], -1).double().numpy() for p in self.policies]
