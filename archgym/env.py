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
next entry is 1.0 when the last evaluation was valid, else 0.0. After
``reset`` the observation is all zeros (but for the workload entries below).

## Rewards
From the :class:`~archgym.objective.Objective` (``"distance"`` by default: 0
when every target is met, negative otherwise). ``targets=`` given to the env
are merged into its default targets (a metric given replaces its default, the
others stay); ``replace_targets=True`` uses the given targets alone. A
simulator answer with a NaN or infinite metric counts as an invalid design.
A design the simulator rejects (:class:`~archgym.errors.InvalidDesign`) gets
``invalid_reward``, with ``info["invalid"] = True`` and the reason in ``info["error"]``. The default
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

## Several workloads
``workload=[a, b, ...]`` makes an env for generalisation studies: each
``reset`` picks one of the workloads uniformly with the env's seeded
``np_random`` (or the one named by ``reset(options={"workload": name})``). Each
workload keeps its own default targets and observation scales; the
observation gains one entry per workload (one-hot: 1.0 for the current one)
and ``info["workload"]`` (in ``reset`` and ``step``) names it. The workloads
must share one design space.

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
``design`` (decoded dict), ``metrics`` (raw values, empty for an invalid
design; units in :attr:`ArchEnv.units` and ``info["units"]``), ``target_met``, ``invalid``,
``error`` ("" when valid), ``workload`` and ``backend``. Envs made with
``gym.make`` also carry ``eval_seconds``, the wall time of the simulator call,
added by :class:`~archgym.wrappers.EvaluationTime` (the bare env keeps it in
:attr:`ArchEnv.last_eval_seconds`, so that same-seed steps give equal infos).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from archgym import checks
from archgym.backends import resolve_backend
from archgym.errors import ConfigError, InvalidAction, InvalidDesign, UnknownName
from archgym.objective import Objective
from archgym.simulator import Simulator
from archgym.space import Design, DesignSpace

__all__ = ["OBS_BOUND", "ArchEnv", "unwrap", "workload_list"]

OBS_BOUND = 16.0


@dataclass(frozen=True)
class _Workload:
    """One workload of an env: as given, its label, objective and observation scales."""

    workload: Any
    label: str
    objective: Objective
    log_scales: tuple[float, ...]


Defaults = Mapping[str, float] | Callable[[Any], Mapping[str, float]] | None


class ArchEnv(gym.Env):
    """A design-space-exploration environment (see the module docstring).

    Args:
        simulator: The backend that evaluates designs.
        workload: A workload name from ``simulator.workloads``, a workload file
            path, or a workload object the simulator accepts (resolved by
            ``simulator.resolve_workload`` when the env is made); or a list of
            them, for an env that samples one workload per ``reset`` (see
            "Several workloads" in the module docstring).
        design_space: The space the env searches: the simulator's space
            (default) or a restriction of it (same parameters, fewer values).
        objective: A ready :class:`Objective`; overrides the four below.
        targets: Metric -> target value. Merged into the env's default targets
            (a metric given here replaces its default; the other defaults stay),
            unless ``replace_targets`` is true.
        replace_targets: Use ``targets`` alone, dropping the default targets.
        weights: Metric -> weight for the reward formula.
        reward_formula: ``"distance"`` (default), ``"archgym"`` or ``"weighted"``.
        default_targets: The env's documented default targets (a mapping, or a
            function of the workload as given returning one).
        metric_scales: Reference value per metric, used to normalise metrics
            the objective does not target (1.0 when missing); merged into the
            env's ``default_scales``.
        default_scales: The env's reference values (a mapping, or a function
            of the workload).
        max_steps: Steps per episode before truncation (an integer >= 1).
        terminate_on_target: End the episode once every target is met.
        invalid_reward: Reward of an invalid design (see module docstring).
        render_mode: ``None``, ``"ansi"`` (text) or ``"rgb_array"`` (image);
            see "Rendering" in the module docstring.
        workload_name: Name recorded in ``info``/logs (default:
            ``simulator.workload_label(workload)``; single workload only).
        backend: ``"simulator"`` (default), ``"proxy"``, ``"auto"``, or a
            :class:`Simulator` instance (see :mod:`archgym.backends`).
        backend_options: Keyword arguments of the backend (e.g.
            ``proxy_model``, ``uncertainty_threshold``).
        **options: Backend options may also be given directly, e.g.
            ``gym.make(id, backend="proxy", proxy_model="m.proxy")``. Any other
            keyword is rejected by the backend with a clear error.

    Raises:
        ConfigError: a keyword of the wrong type or out of range (named in the
            message with the value received).
        UnknownName: an unknown workload, metric, reward formula or backend.
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
        replace_targets: bool = False,
        weights: Mapping[str, float] | None = None,
        reward_formula: str = "distance",
        default_targets: Defaults = None,
        metric_scales: Mapping[str, float] | None = None,
        default_scales: Defaults = None,
        max_steps: int = 1,
        terminate_on_target: bool = False,
        invalid_reward: float | None = None,
        render_mode: str | None = None,
        workload_name: str | None = None,
        backend: str | Simulator = "simulator",
        backend_options: Mapping[str, Any] | None = None,
        **options: Any,
    ):
        self.max_steps = checks.integer("max_steps", max_steps, low=1)
        self.terminate_on_target = checks.boolean("terminate_on_target", terminate_on_target)
        checks.boolean("replace_targets", replace_targets)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(
                f"render_mode must be one of {self.metadata['render_modes']} or None, "
                f"got {render_mode!r}"
            )
        if objective is not None and not isinstance(objective, Objective):
            raise ConfigError(
                f"objective must be an archgym.Objective, got {objective!r}; to choose a "
                f"reward formula by name use reward_formula={objective!r}"
            )
        if workload_name is not None and not isinstance(workload_name, str):
            raise ConfigError(f"workload_name must be a string, got {workload_name!r}")
        space = simulator.design_space if design_space is None else design_space
        if not isinstance(space, DesignSpace) or not simulator.design_space.contains_space(space):
            raise ConfigError(
                f"the env's design space must be the simulator's or a restriction of it "
                f"(same parameters, fewer values); simulator parameters: "
                f"{', '.join(simulator.design_space.names)}"
            )
        self.design_space: DesignSpace = space
        self.metric_names: tuple[str, ...] = tuple(m.name for m in simulator.metrics)
        self.units: dict[str, str] = {m.name: m.unit for m in simulator.metrics}

        given = workload_list(workload)
        if workload_name is not None and len(given) > 1:
            raise ConfigError("workload_name needs a single workload")
        self._workloads = tuple(
            self._make_workload(
                simulator, w, workload_name, objective, targets, replace_targets, weights,
                reward_formula, default_targets, metric_scales, default_scales,
            )
            for w in given
        )
        labels = [w.label for w in self._workloads]
        if len(set(labels)) != len(labels):
            raise ConfigError(f"workloads must be distinct, got {labels}")
        self._current = 0
        self.simulator = resolve_backend(
            backend,
            simulator,
            design_space=space,
            workload=labels[0] if len(labels) == 1 else tuple(labels),
            **{**dict(backend_options or {}), **options},
        )
        self.invalid_reward = (
            self.objective.invalid_reward if invalid_reward is None
            else checks.number("invalid_reward", invalid_reward)
        )
        self.render_mode = render_mode
        self.action_space = self.design_space.gym_space()
        n_workloads = len(self._workloads) if len(self._workloads) > 1 else 0
        self._obs_shape = (len(self.metric_names) + 1 + n_workloads,)
        self.observation_space = spaces.Box(
            -OBS_BOUND, OBS_BOUND, shape=self._obs_shape, dtype=np.float32
        )
        self._names = self.design_space.names
        self._values = [p.values for p in self.design_space.parameters.values()]
        self._steps = 0
        self._last: tuple | None = None
        self.last_eval_seconds = 0.0

    def _make_workload(
        self,
        simulator: Simulator,
        workload: Any,
        workload_name: str | None,
        objective: Objective | None,
        targets: Mapping[str, float] | None,
        replace_targets: bool,
        weights: Mapping[str, float] | None,
        reward_formula: str,
        default_targets: Defaults,
        metric_scales: Mapping[str, float] | None,
        default_scales: Defaults,
    ) -> _Workload:
        """Resolve one workload and build its objective and observation scales."""
        simulator.resolve_workload(workload)  # a bad name or file fails here, not at step
        label = workload_name if workload_name is not None else simulator.workload_label(workload)
        if objective is None:
            defaults = dict(_defaults(default_targets, workload))
            if targets is not None:
                given = checks.number_map("targets", targets, self.metric_names, positive=True)
                chosen = given if replace_targets else {**defaults, **given}
            else:
                chosen = defaults
            if not chosen:
                raise ConfigError(
                    f"no targets for workload {label!r}: the env declares no default targets "
                    f"for it; pass targets={{metric: value}} (metrics: "
                    f"{', '.join(self.metric_names)})"
                )
            objective = Objective(chosen, weights=weights if weights is not None else {},
                                  formula=reward_formula)
        bound = objective.bind(simulator.metrics)
        scales = dict(_defaults(default_scales, workload))
        if metric_scales is not None:
            scales.update(checks.number_map("metric_scales", metric_scales, self.metric_names,
                                            positive=True))
        scales.update(bound.targets)
        return _Workload(
            workload=workload,
            label=label,
            objective=bound,
            log_scales=tuple(math.log2(scales.get(n, 1.0)) for n in self.metric_names),
        )

    # ------------------------------------------------------- current workload
    @property
    def workload(self) -> Any:
        """The current workload, as given (a name, a path or an object)."""
        return self._workloads[self._current].workload

    @property
    def workload_name(self) -> str:
        """The current workload's label (as logged)."""
        return self._workloads[self._current].label

    @property
    def workload_names(self) -> tuple[str, ...]:
        """Labels of every workload of the env (one unless a list was given)."""
        return tuple(w.label for w in self._workloads)

    @property
    def objective(self) -> Objective:
        """The current workload's objective (targets, weights, formula)."""
        return self._workloads[self._current].objective

    # ------------------------------------------------------------------ API
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        self._steps = 0
        self._last = None
        if len(self._workloads) > 1:
            chosen = (options or {}).get("workload")
            if chosen is None:
                self._current = int(self.np_random.integers(len(self._workloads)))
            elif chosen in self.workload_names:
                self._current = self.workload_names.index(chosen)
            else:
                raise UnknownName("workload of this env", chosen, self.workload_names)
        obs = np.zeros(self._obs_shape, dtype=np.float32)
        self._mark_workload(obs)
        return obs, {"workload": self.workload_name}

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
            error = _non_finite(metrics)
        except InvalidDesign as exc:
            metrics = {}
            error = str(exc)
        if error:
            metrics = {}  # no NaN: same-seed steps must give equal infos (check_env compares)
        self.last_eval_seconds = time.perf_counter() - start

        invalid = bool(error)
        if invalid:
            reward, target_met = self.invalid_reward, False
            obs = np.zeros(self._obs_shape, dtype=np.float32)
            self._mark_workload(obs)
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
                        scale = 2.0 ** self._workloads[self._current].log_scales[row]
                        colour, ref = "tab:gray", f"ref {scale:.3g}"
                    ax.barh(row, float(np.clip(obs[row], -bound, bound)), color=colour,
                            height=0.6)
                    labels[row] = f"{name} {x:.3g} {self.units[name]} ({ref})"
        ax.set_yticks(range(len(names)), labels, fontsize=7)
        fig.suptitle(title, fontsize=8)
        canvas.draw()
        return np.array(canvas.buffer_rgba(), dtype=np.uint8)[..., :3]

    def describe(self) -> dict[str, Any]:
        """What this env is, as a plain JSON-able dict (stored with logs and trial summaries).

        Keys: ``env_id``, ``env_version``, ``workload`` (the current one),
        ``workloads`` (all of the env's), ``design_space``
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
            "workloads": list(self.workload_names),
            "design_space": self.design_space.signature(),
            "design_space_fingerprint": self.design_space.fingerprint(),
            "metrics": [m.to_dict() for m in metrics],
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
        scales = self._workloads[self._current].log_scales
        obs = [
            max(-OBS_BOUND, min(OBS_BOUND, math.log2(x) - s)) if x > 0 else -OBS_BOUND
            for x, s in zip((metrics[n] for n in self.metric_names), scales, strict=True)
        ]
        obs.append(1.0)
        if len(self._workloads) > 1:
            obs.extend(float(i == self._current) for i in range(len(self._workloads)))
        return np.array(obs, dtype=np.float32)

    def _mark_workload(self, obs: np.ndarray) -> None:
        """Set the one-hot workload entries of an observation (several workloads only)."""
        if len(self._workloads) > 1:
            obs[len(self.metric_names) + 1 + self._current] = 1.0

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


def workload_list(workload: Any) -> list[Any]:
    """The workloads an env's ``workload=`` names (one, or a list), each checked for type.

    Raises:
        ConfigError: an empty list, or an entry that is neither a name, a path
            nor a workload object (``None``, a number, a nested list, ...).
    """
    given = list(workload) if isinstance(workload, (list, tuple)) else [workload]
    if not given:
        raise ConfigError("workload must name at least one workload, got an empty list")
    for w in given:
        if not isinstance(w, (str, os.PathLike)) and type(w).__module__ in ("builtins", "numpy"):
            raise ConfigError(
                f"workload must be a workload name, a file path or a workload object, got "
                f"{w!r} ({type(w).__name__})"
            )
    return given


def _defaults(defaults: Defaults, workload: Any) -> Mapping[str, float]:
    """An env's default targets or scales for ``workload`` (a mapping or a function)."""
    if defaults is None:
        return {}
    return defaults(workload) if callable(defaults) else defaults


def _non_finite(metrics: Mapping[str, float]) -> str:
    """An error text when the simulator returned a NaN or infinite metric, else ``""``."""
    bad = {k: v for k, v in metrics.items() if not math.isfinite(v)}
    if not bad:
        return ""
    return f"the simulator returned non-finite metric(s) {bad}; the design is treated as invalid"
