"""`ArchEnv`: a Gymnasium environment made of a simulator, a workload and an objective.

Every hardware target's environment is an :class:`ArchEnv` subclass that only
builds its simulator and declares defaults; the contract below holds for all.

## Action space
``MultiDiscrete(design_space.nvec)``: one index per design parameter. One step
evaluates one full design. An action outside the space raises
:class:`~archgym.errors.InvalidAction` (it is never clipped).

## Observation space
``Box(-16, 16, (n_metrics + 1,), float32)``. Entry ``i < n_metrics`` is
``clip(log2(x_i / s_i), -16, 16)`` where ``x_i`` is the last evaluation's value
of metric ``i`` and ``s_i`` its scale: the metric's target when the objective
targets it, else the env's documented reference value. So 0 means "on target",
-1 "half the target", +1 "twice the target". A value ``<= 0`` maps to -16. The
last entry is 1.0 when the last evaluation was valid, else 0.0. After
``reset`` the observation is all zeros.

## Rewards
From the :class:`~archgym.objective.Objective` (``"distance"`` by default: 0
when every target is met, negative otherwise). A design the simulator rejects
(:class:`~archgym.errors.InvalidDesign`) gets ``invalid_reward``, with
``info["invalid"] = True`` and the reason in ``info["error"]``. The default
is -1000 for the ``distance`` and ``weighted`` formulas — far below what the
shipped envs give valid designs (their worst random designs score about -30
to -170) so that no agent prefers an invalid design — and 0 for ``archgym``,
whose rewards are always positive.

## Episode end
With the default ``max_steps=1`` (the contextual-bandit formulation of the
ArchGym paper) every episode is one complete decision and *terminates* after
its step: there is no next state, so RL agents must not bootstrap from one.
With ``max_steps > 1`` episodes are *truncated* after ``max_steps`` steps (a
time limit). With ``terminate_on_target=True`` an episode terminates as soon
as every target is met.

## Rendering
``render_mode="ansi"``: :meth:`ArchEnv.render` returns a one-line text summary
of the last evaluation (step, reward, metrics with units, design).
``render_mode="rgb_array"``: it returns an RGB image (``uint8`` array of shape
``(height, width, 3)``, constant per env) of the last design's metrics against
their targets: one horizontal bar per metric of ``log2(value / target)`` (the
observation's entry), green when the target is met, red when missed, grey for
a metric without target (drawn against its reference value); an invalid design
shows its reason. Stable-Baselines3's ``make_vec_env`` asks for
``"rgb_array"``, so both vectorised envs and video recorders work.

## Description
:meth:`ArchEnv.describe` returns what the env is as a plain dict (id and
version, workload, design-space signature, metrics with units and goals,
targets, reward formula); logs and sweep summaries store it, so their readers
never make an env to learn it.

## Info
``design`` (decoded dict), ``metrics`` (raw values; units in
:attr:`ArchEnv.units` and ``info["units"]``), ``target_met``, ``invalid``,
``error`` ("" when valid), ``workload`` and ``backend``. Envs made with
``gym.make`` also carry ``eval_seconds``, the wall time of the simulator call,
added by :class:`~archgym.wrappers.EvaluationTime` (the bare env keeps it in
:attr:`ArchEnv.last_eval_seconds`, so that same-seed steps give equal infos).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from archgym.backends import resolve_backend
from archgym.errors import ConfigError, InvalidAction, InvalidDesign
from archgym.objective import Objective
from archgym.simulator import Simulator
from archgym.space import Design, DesignSpace

__all__ = ["OBS_BOUND", "ArchEnv", "unwrap"]

OBS_BOUND = 16.0


class ArchEnv(gym.Env):
    """A design-space-exploration environment (see the module docstring).

    Args:
        simulator: The backend that evaluates designs.
        workload: A workload name from ``simulator.workloads``, a workload file
            path, or a workload object the simulator accepts (resolved by
            ``simulator.resolve_workload`` when the env is made).
        design_space: The space the env searches: the simulator's space
            (default) or a restriction of it (same parameters, fewer values).
        objective: A ready :class:`Objective`; overrides the three below.
        targets: Metric -> target value (defaults to ``default_targets``).
        weights: Metric -> weight for the reward formula.
        reward_formula: ``"distance"`` (default), ``"archgym"`` or ``"weighted"``.
        default_targets: The env's documented default targets.
        metric_scales: Reference value per metric, used to normalise metrics
            the objective does not target (1.0 when missing).
        max_steps: Steps per episode before truncation (>= 1).
        terminate_on_target: End the episode once every target is met.
        invalid_reward: Reward of an invalid design (see module docstring).
        render_mode: ``None``, ``"ansi"`` (text) or ``"rgb_array"`` (image);
            see "Rendering" in the module docstring.
        workload_name: Name recorded in ``info``/logs (default:
            ``simulator.workload_label(workload)``).
        backend: ``"simulator"`` (default), ``"proxy"``, ``"auto"``, or a
            :class:`Simulator` instance (see :mod:`archgym.backends`).
        backend_options: Keyword arguments of the backend (e.g.
            ``proxy_model``, ``uncertainty_threshold``).
        **options: Backend options may also be given directly, e.g.
            ``gym.make(id, backend="proxy", proxy_model="m.pkl")``. Any other
            keyword is rejected by the backend with a clear error.
    """

    metadata: dict[str, Any] = {  # noqa: RUF012
        "render_modes": ["ansi", "rgb_array"],
        "render_fps": 4,
    }

    def __init__(
        self,
        simulator: Simulator,
        workload: Any,
        *,
        design_space: DesignSpace | None = None,
        objective: Objective | None = None,
        targets: Mapping[str, float] | None = None,
        weights: Mapping[str, float] | None = None,
        reward_formula: str = "distance",
        default_targets: Mapping[str, float] | None = None,
        metric_scales: Mapping[str, float] | None = None,
        max_steps: int = 1,
        terminate_on_target: bool = False,
        invalid_reward: float | None = None,
        render_mode: str | None = None,
        workload_name: str | None = None,
        backend: str | Simulator = "simulator",
        backend_options: Mapping[str, Any] | None = None,
        **options: Any,
    ):
        if int(max_steps) < 1:
            raise ValueError(f"max_steps must be >= 1, got {max_steps!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(
                f"render_mode must be one of {self.metadata['render_modes']} or None, "
                f"got {render_mode!r}"
            )
        space = simulator.design_space if design_space is None else design_space
        if not simulator.design_space.contains_space(space):
            raise ConfigError(
                f"the env's design space must be the simulator's or a restriction of it "
                f"(same parameters, fewer values); simulator parameters: "
                f"{', '.join(simulator.design_space.names)}"
            )
        self.design_space: DesignSpace = space
        simulator.resolve_workload(workload)  # a bad name or file fails here, not at step
        self.workload = workload
        self.workload_name = (
            workload_name if workload_name is not None else simulator.workload_label(workload)
        )
        self.simulator = resolve_backend(
            backend,
            simulator,
            design_space=space,
            workload=self.workload_name,
            **{**dict(backend_options or {}), **options},
        )
        if objective is None:
            chosen = targets if targets is not None else default_targets
            if not chosen:
                raise ValueError("no targets given and the env declares no default targets")
            objective = Objective(dict(chosen), weights=dict(weights or {}), formula=reward_formula)
        self.objective = objective.bind(simulator.metrics)
        self.max_steps = int(max_steps)
        self.terminate_on_target = bool(terminate_on_target)
        self.invalid_reward = float(
            self.objective.invalid_reward if invalid_reward is None else invalid_reward
        )
        self.render_mode = render_mode

        self.metric_names: tuple[str, ...] = tuple(m.name for m in simulator.metrics)
        self.units: dict[str, str] = {m.name: m.unit for m in simulator.metrics}
        scales = dict(metric_scales or {})
        scales.update(self.objective.targets)
        self._log_scales = [math.log2(abs(scales.get(n, 1.0))) for n in self.metric_names]
        self.action_space = self.design_space.gym_space()
        self._obs_shape = (len(self.metric_names) + 1,)
        self.observation_space = spaces.Box(
            -OBS_BOUND, OBS_BOUND, shape=self._obs_shape, dtype=np.float32
        )
        self._names = self.design_space.names
        self._values = [p.values for p in self.design_space.parameters.values()]
        self._steps = 0
        self._last: tuple | None = None
        self.last_eval_seconds = 0.0

    # ------------------------------------------------------------------ API
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        self._steps = 0
        self._last = None
        return np.zeros(self._obs_shape, dtype=np.float32), {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        index = self._index(action)
        design = dict(zip(self._names, (v[k] for v, k in zip(self._values, index, strict=True)),
                          strict=True))
        self._steps += 1
        start = time.perf_counter()
        try:
            self.design_space.check_constraints(design)
            raw = self.simulator.evaluate_index(index, self.workload, design)
            metrics = {name: float(raw[name]) for name in self.metric_names}
            error = ""
        except InvalidDesign as exc:
            metrics = dict.fromkeys(self.metric_names, float("nan"))
            error = str(exc)
        self.last_eval_seconds = time.perf_counter() - start

        invalid = bool(error)
        if invalid:
            reward, target_met = self.invalid_reward, False
            obs = np.zeros(self._obs_shape, dtype=np.float32)
        else:
            reward = self.objective.reward(metrics)
            target_met = self.objective.target_met(metrics)
            obs = self._observe(metrics)
        at_limit = self._steps >= self.max_steps
        terminated = (self.terminate_on_target and target_met) or (at_limit and self.max_steps == 1)
        truncated = at_limit and not terminated
        info: dict[str, Any] = {
            "design": design,
            "metrics": metrics,
            "units": dict(self.units),
            "target_met": target_met,
            "invalid": invalid,
            "error": error,
            "workload": self.workload_name,
            "backend": getattr(self.simulator, "last_backend", self.simulator.backend),
        }
        self._last = (self._steps, design, metrics, reward, error)
        return obs, float(reward), terminated, truncated, info

    def close(self) -> None:
        """Close the backend (e.g. flush the auto backend's log of simulator answers)."""
        self.simulator.close()
        super().close()

    def render(self) -> str | np.ndarray | None:
        """The last evaluation as text (``"ansi"``) or an RGB image (``"rgb_array"``).

        Returns:
            ``None`` when ``render_mode`` is ``None``; a one-line summary for
            ``"ansi"``; for ``"rgb_array"`` a ``uint8`` array of shape
            ``(height, width, 3)`` (the same shape at every call) showing each
            metric against its target (see "Rendering" in the module docstring).
        """
        if self.render_mode == "rgb_array":
            return self._render_image()
        if self.render_mode != "ansi":
            return None
        return "no evaluation since reset" if self._last is None else self._summary(*self._last)

    def _render_image(self, dpi: int = 80) -> np.ndarray:
        """Draw the last evaluation's metric/target bars; return the RGB pixels."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        names = self.metric_names
        bound = OBS_BOUND / 2  # bars span value/target in [1/256, 256]
        fig = Figure(figsize=(512 / dpi, (80 + 28 * len(names)) / dpi), dpi=dpi)
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_axes((0.42, 50 / (80 + 28 * len(names)), 0.55,
                           28 * len(names) / (80 + 28 * len(names))))
        ax.set_xlim(-bound, bound)
        ax.set_ylim(len(names) - 0.5, -0.5)
        ticks = list(range(-8, 9, 4))
        ax.set_xticks(ticks, [f"{2**k}" if k >= 0 else f"1/{2**-k}" for k in ticks], fontsize=7)
        ax.set_xlabel("value / target (log scale)", fontsize=7, labelpad=1)
        ax.axvline(0.0, color="black", linewidth=1)
        labels = list(names)
        if self._last is None:
            title = "no evaluation since reset"
        else:
            step, _, metrics, reward, error = self._last
            if error:
                title = f"step {step}: INVALID design"
                ax.text(0.0, (len(names) - 1) / 2, error[:60], ha="center", va="center",
                        fontsize=6, bbox={"facecolor": "white", "edgecolor": "none"})
            else:
                met = self.objective.target_met(metrics)
                title = f"step {step}: reward {reward:.4g}, targets {'met' if met else 'missed'}"
                obs = self._observe(metrics)
                targets, goals = self.objective.targets, self.objective.goals
                for row, name in enumerate(names):
                    x = metrics[name]
                    if name in targets:
                        bad = x > targets[name] if goals[name] == "min" else x < targets[name]
                        colour = "tab:red" if bad else "tab:green"
                        ref = f"{'≤' if goals[name] == 'min' else '≥'} {targets[name]:.3g}"
                    else:
                        colour, ref = "tab:gray", f"ref {2.0 ** self._log_scales[row]:.3g}"
                    ax.barh(row, float(np.clip(obs[row], -bound, bound)), color=colour,
                            height=0.6)
                    labels[row] = f"{name} {x:.3g} {self.units[name]} ({ref})"
        ax.set_yticks(range(len(names)), labels, fontsize=7)
        fig.suptitle(title, fontsize=8)
        canvas.draw()
        return np.array(canvas.buffer_rgba(), dtype=np.uint8)[..., :3]

    def describe(self) -> dict[str, Any]:
        """What this env is, as a plain JSON-able dict (stored with logs and trial summaries).

        Keys: ``env_id``, ``env_version``, ``workload``, ``design_space``
        (signature), ``design_space_fingerprint``, ``metrics`` (name, unit,
        goal, description), ``targets``, ``weights``, ``goals``,
        ``reward_formula``, ``invalid_reward``, ``max_steps``, ``backend``.
        """
        spec = self.spec
        metrics = self.simulator.metrics
        return {
            "env_id": spec.id if spec is not None else type(self).__name__,
            "env_version": int(spec.version) if spec is not None and spec.version else 0,
            "workload": self.workload_name,
            "design_space": self.design_space.signature(),
            "design_space_fingerprint": self.design_space.fingerprint(),
            "metrics": [
                {"name": m.name, "unit": m.unit, "goal": m.goal, "description": m.description}
                for m in metrics
            ],
            "targets": dict(self.objective.targets),
            "weights": dict(self.objective.weights),
            "goals": dict(self.objective.goals),
            "reward_formula": self.objective.formula,
            "invalid_reward": self.invalid_reward,
            "max_steps": self.max_steps,
            "backend": self.simulator.backend,
        }

    # --------------------------------------------------------------- helpers
    def _index(self, action: Any) -> list[int]:
        index = self.design_space.index_list(action)
        if index is None:
            raise InvalidAction(
                f"action {action!r} is not in the action space {self.action_space}: "
                f"{self.design_space.index_problem(action)}"
            )
        return index

    def decode(self, action: Any) -> Design:
        """Action (index vector) -> design dict, with a clear error when out of space."""
        return dict(zip(self._names, (v[k] for v, k in zip(self._values, self._index(action),
                                                            strict=True)), strict=True))

    def encode(self, design: Mapping[str, Any]) -> np.ndarray:
        """Design dict -> action (index vector)."""
        return self.design_space.to_index(design)

    def _observe(self, metrics: Mapping[str, float]) -> np.ndarray:
        obs = [
            max(-OBS_BOUND, min(OBS_BOUND, math.log2(x) - s)) if x > 0 else -OBS_BOUND
            for x, s in zip((metrics[n] for n in self.metric_names), self._log_scales, strict=True)
        ]
        obs.append(1.0)
        return np.array(obs, dtype=np.float32)

    def _summary(
        self, step: int, design: Design, metrics: Mapping[str, float], reward: float, err: str
    ) -> str:
        d = " ".join(f"{k}={v}" for k, v in design.items())
        if err:
            return f"step {step} INVALID ({err}) | {d}"
        m = " ".join(f"{k}={metrics[k]:.4g}{self.units[k]}" for k in self.metric_names)
        return f"step {step} reward={reward:.4g} | {m} | {d}"


def unwrap(env: gym.Env) -> ArchEnv:
    """The :class:`ArchEnv` inside ``env`` (its ``unwrapped``), typed.

    Raises:
        ConfigError: ``env`` is not an ArchGym env.
    """
    base = env.unwrapped
    if not isinstance(base, ArchEnv):
        raise ConfigError(
            f"expected an ArchGym env (an ArchEnv, possibly wrapped), got {type(base).__name__}"
        )
    return base
