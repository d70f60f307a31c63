"""Fuzz properties: any input either works or raises an ArchGymError subclass.

Each ``fuzz_*`` function runs one Hypothesis property over one kind of user
input: gym.make keywords (all envs; LLMServing-v0's own too), design dicts given
straight to ``simulator.evaluate``, DRAM trace files and memspecs, SoC task
graphs and block libraries, topology CSVs, LLM-serving trace files, sweep specs
and CLI arguments (proxy artefacts are not fuzzed here yet). They are run in a
subprocess by ``test_fuzz.py`` (so a segmentation fault or a hang fails a test
instead of the run) and by
``benchmarks/fuzz_campaign.py`` for long campaigns. The number of examples
comes from the ``ARCHGYM_FUZZ_EXAMPLES`` environment variable; every outcome
is counted into the JSON file named by ``ARCHGYM_FUZZ_REPORT`` (if set):
``ok`` (worked), ``rejected`` (an ArchGymError). Anything else fails the
property and is printed with the input that caused it — unless
``ARCHGYM_FUZZ_COLLECT=1`` (the campaign's mode), where it is counted as
``nonsense`` (an AssertionError: a non-finite reward or metric) or
``bare:<ExceptionType>`` and the run goes on (and, with
``ARCHGYM_FUZZ_EXAMPLE_TIMEOUT`` seconds set, ``hang`` for a slow example).
"""

from __future__ import annotations

import json
import math
import os
import signal
import string
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import archgym
from archgym.errors import ArchGymError

EXAMPLES = int(os.environ.get("ARCHGYM_FUZZ_EXAMPLES", "100"))
REPORT = os.environ.get("ARCHGYM_FUZZ_REPORT", "")
COLLECT = os.environ.get("ARCHGYM_FUZZ_COLLECT", "") == "1"
EXAMPLE_TIMEOUT = float(os.environ.get("ARCHGYM_FUZZ_EXAMPLE_TIMEOUT", "0"))
_EXAMPLES: list[str] = []
ROOT = Path(__file__).resolve().parents[2]
_COUNTS: Counter[str] = Counter()

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("ARCHGYM_FUZZ_DERANDOMIZE", "1") == "1"),
    suppress_health_check=list(HealthCheck),
)

# ----------------------------------------------------------------- helpers
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
)
values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                     st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=8,
)


class ExampleHang(BaseException):
    """Raised by the alarm when one example runs over ``ARCHGYM_FUZZ_EXAMPLE_TIMEOUT`` s."""


def _alarm(signum: int, frame: Any) -> None:
    raise ExampleHang()


def outcome(fn: Callable[[], Any]) -> str:
    """Run ``fn``; count and return ``ok`` or ``rejected`` (other exceptions propagate).

    In collect mode other exceptions are counted (see the module docstring), and
    an example that runs over ``ARCHGYM_FUZZ_EXAMPLE_TIMEOUT`` seconds (if set;
    checked between Python bytecodes, so a compiled kernel is stopped only by
    the campaign's per-chunk limit) is counted as ``hang``.
    """
    if COLLECT and EXAMPLE_TIMEOUT > 0:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, EXAMPLE_TIMEOUT)
    try:
        fn()
    except ExampleHang:
        result = "hang"
        if len(_EXAMPLES) < 20:
            _EXAMPLES.append(f"hang: one example ran over {EXAMPLE_TIMEOUT:g} s")
    except ArchGymError:
        result = "rejected"
    except Exception as exc:
        if not COLLECT:
            raise
        result = "nonsense" if isinstance(exc, AssertionError) else f"bare:{type(exc).__name__}"
        if len(_EXAMPLES) < 20:
            _EXAMPLES.append(f"{result}: {str(exc)[:300]}")
    else:
        result = "ok"
    finally:
        if COLLECT and EXAMPLE_TIMEOUT > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)
    _COUNTS[result] += 1
    return result


def save_counts() -> None:
    """Add this process's counts to the report file (if one is named)."""
    if not REPORT:
        return
    path = Path(REPORT)
    old = json.loads(path.read_text()) if path.exists() else {}
    for k, v in _COUNTS.items():
        old[k] = old.get(k, 0) + v
    old["examples"] = [*old.get("examples", []), *_EXAMPLES][:20]
    path.write_text(json.dumps(old))


# -------------------------------------------------------------- gym.make
ENV_KWARGS = ("targets", "weights", "reward_formula", "metric_scales", "max_steps",
              "terminate_on_target", "invalid_reward", "render_mode", "backend", "workload",
              "objective", "replace_targets", "workload_name", "design_space", "colour")


LLM_KWARGS = ("workload", "precision", "ttft_slo_s", "tbt_slo_s", "metric_scales", "targets",
              "default_targets")


@SETTINGS
@given(env=st.sampled_from(["archgym/DRAMController-v0", "archgym/DNNAccelerator-v0",
                            "archgym/SoC-v1"]),
       kwargs=st.dictionaries(st.sampled_from(ENV_KWARGS), values, max_size=3),
       metric=st.sampled_from(["latency_ns", "power_mw", "latency_ms", "area_mm2", "latency_s"]),
       number=st.floats(allow_nan=True, allow_infinity=True))
def fuzz_make_kwargs(env, kwargs, metric, number):
    """gym.make with random keywords (and metric->number maps) works or is rejected."""
    if "targets" in kwargs and not isinstance(kwargs["targets"], dict):
        kwargs = {**kwargs, "targets": {metric: number}}

    def make_and_step():
        e = archgym.make(env, **kwargs)
        e.reset(seed=0)
        _, reward, *_ = e.step(e.action_space.sample())
        if not math.isfinite(reward):
            raise AssertionError(f"non-finite reward {reward!r} with {kwargs!r}")

    outcome(make_and_step)


@SETTINGS
@given(kwargs=st.dictionaries(st.sampled_from(LLM_KWARGS + ENV_KWARGS), st.one_of(
           values, st.sampled_from(["llama-3-8b/azure-conv", "llama-3-70b/azure-cod", "fp8",
                                    "bf16", ["llama-3-8b/azure-conv", "llama-2-7b/sharegpt"]]),
           st.floats(-1, 1e12)), max_size=3),
       metric=st.sampled_from(["ttft_p90_s", "tbt_p99_ms", "cost_usd_per_mtok", "gpus", "x"]),
       number=st.floats(allow_nan=True, allow_infinity=True))
def fuzz_llm_kwargs(kwargs, metric, number):
    """gym.make of LLMServing-v0 with random env and ArchEnv keywords works or is rejected."""
    for key in ("targets", "metric_scales", "default_targets"):
        if key in kwargs and not isinstance(kwargs[key], dict):
            kwargs = {**kwargs, key: {metric: number}}

    def make_and_step():
        e = archgym.make("archgym/LLMServing-v0", **kwargs)
        e.reset(seed=0)
        _, reward, *_ = e.step(e.action_space.sample())
        if not math.isfinite(reward):
            raise AssertionError(f"non-finite reward {reward!r} with {kwargs!r}")

    outcome(make_and_step)


_number_text = st.one_of(st.integers(-5, 10**30).map(str),
                         st.floats(allow_nan=True, allow_infinity=True).map(repr),
                         st.integers(0, 5000).map(str), st.text(string.printable, max_size=6))


def _fuzz_file(suffix: str, data: bytes, fn: Callable[[str], None]) -> None:
    """Write ``data`` to a temporary file and count the outcome of ``fn(path)``."""
    with tempfile.NamedTemporaryFile("wb", suffix=suffix, delete=False) as fh:
        fh.write(data)
    try:
        outcome(lambda: fn(fh.name))
    finally:
        os.unlink(fh.name)


def _finite(where: str, metrics: dict[str, float]) -> None:
    bad = {k: v for k, v in metrics.items() if not math.isfinite(v)}
    if bad:
        raise AssertionError(f"{where}: non-finite metrics {bad}")


@SETTINGS
@given(header=st.sampled_from(["arrival_s,prompt_tokens,output_tokens",
                               "TIMESTAMP,ContextTokens,GeneratedTokens", "a,b,c", ""]),
       comment=st.sampled_from(["", "# model: llama-3-70b\n", "# model: gpt\n"]),
       rows=st.lists(st.one_of(
           st.tuples(st.floats(0, 100).map(repr), st.integers(1, 5000).map(str),
                     st.integers(1, 500).map(str)).map(list),
           st.lists(st.one_of(_number_text, st.just("2023-11-16 18:17:03.97")), min_size=1,
                    max_size=4)), max_size=5),
       junk=st.binary(max_size=8))
def fuzz_llm_trace(header, comment, rows, junk):
    """LLM-serving trace files: any bytes load and evaluate the default design, or are rejected."""
    from archgym.simulators.llm_serving import LLMServingSimulator

    text = comment + header + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    sim = LLMServingSimulator()

    def run(path: str) -> None:
        _finite(path, sim.evaluate(sim.design_space.default(), path))

    _fuzz_file(".csv", text.encode() + (junk if len(junk) % 3 == 0 else b""), run)


def _mutate(data: Any, draw: Any, n: int) -> Any:
    """``data`` (nested dicts/lists, deep-copied) with ``n`` random leaves or keys changed."""
    import copy

    data = copy.deepcopy(data)
    for _ in range(n):
        node = data
        while True:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys:
                break
            key = draw(st.sampled_from([*keys, "unknown_field"] if isinstance(node, dict)
                                       else keys))
            child = node.get(key) if isinstance(node, dict) else node[key]
            if isinstance(child, (dict, list)) and child and draw(st.integers(0, 4)) > 0:
                node = child
                continue
            action = draw(st.sampled_from(["set", "set", "set", "delete"]))
            if action == "delete" and isinstance(node, dict) and key in node:
                del node[key]
            elif isinstance(child, (int, float)) and not isinstance(child, bool) and draw(
                    st.booleans()):  # a plausible change: the same number scaled or shifted
                node[key] = draw(st.sampled_from([child * 2, child // 2 if isinstance(child, int)
                                                  else child / 2, child + 1, -child, 0,
                                                  child * 10**6, float(child), math.nan]))
            else:
                node[key] = draw(st.one_of(values, st.floats(-1e20, 1e20),
                                           st.integers(-2, 2**40)))
            break
    return data


@SETTINGS
@given(data=st.data())
def fuzz_task_graph(data):
    """SoC task-graph files (a shipped one with random changes): load and evaluate, or rejected."""
    import yaml

    from archgym.simulators.soc import SoCSimulator, load_task_graph

    name = data.draw(st.sampled_from(["audio_decoder", "hpvm_cava", "edge_detection"]))
    base = yaml.safe_load((ROOT / f"simulators/soc/{name}.yaml").read_text(encoding="utf-8"))
    doc = _mutate(base, data.draw, data.draw(st.integers(0, 3)))
    seed = data.draw(st.integers(0, 2**32 - 1))

    def run(path: str) -> None:
        g = load_task_graph(path)
        sim = SoCSimulator(g)
        design = sim.design_space.from_index(
            np.random.default_rng(seed).integers(0, sim.design_space.nvec))
        _finite(path, sim.evaluate(design, g))  # an invalid design is an ArchGymError too

    _fuzz_file(".yaml", yaml.safe_dump(doc).encode(), run)


@SETTINGS
@given(data=st.data())
def fuzz_block_library(data):
    """SoC block-library YAML (the shipped one, changed): loads and evaluates, or rejected."""
    import yaml

    from archgym.simulators.soc import SoCSimulator, load_library

    base = yaml.safe_load((ROOT / "simulators/soc/blocks.yaml").read_text(encoding="utf-8"))
    doc = _mutate(base, data.draw, data.draw(st.integers(0, 3)))

    def run(path: str) -> None:
        sim = SoCSimulator("audio_decoder", load_library(path))
        _finite(path, sim.evaluate(sim.design_space.default()))

    _fuzz_file(".yaml", yaml.safe_dump(doc).encode(), run)


# ------------------------------------------------------ simulator designs
def _simulators():
    from archgym.env import unwrap

    return {env_id: unwrap(archgym.make(env_id)) for env_id in archgym.list_envs()}


_ENVS: dict[str, Any] = {}


@SETTINGS
@given(data=st.data())
def fuzz_simulator_designs(data):
    """Designs given straight to simulator.evaluate (mutated values, keys) work or are rejected."""
    if not _ENVS:
        _ENVS.update(_simulators())
    env_id = data.draw(st.sampled_from(sorted(_ENVS)))
    env = _ENVS[env_id]
    design = dict(env.design_space.default())
    for _ in range(data.draw(st.integers(0, 3))):
        key = data.draw(st.sampled_from([*design, "unknown_knob"]))
        design[key] = data.draw(values)
    if data.draw(st.booleans()) and design:
        design.pop(data.draw(st.sampled_from(sorted(design))))

    def evaluate():
        metrics = env.simulator.evaluate(design, env.workload)
        bad = {k: v for k, v in metrics.items() if not math.isfinite(v)}
        if bad:
            raise AssertionError(f"{env_id}: non-finite metrics {bad} for {design!r}")

    outcome(evaluate)


# ------------------------------------------------------------- topologies
_cell = st.one_of(st.integers(1, 64).map(str), st.integers(1, 512).map(str),
                  st.integers(-5, 10**31).map(str), st.text(string.printable, max_size=6))


@SETTINGS
@given(gemm=st.booleans(),
       rows=st.lists(st.lists(_cell, min_size=4, max_size=9), max_size=4),
       junk=st.binary(max_size=16))
def fuzz_topology(gemm, rows, junk):
    """SCALE-Sim topology CSVs: any text loads and evaluates, or is rejected."""
    from archgym.simulators.accelerator import AcceleratorSimulator, accelerator_space

    header = ("Layer, M, N, K," if gemm else "Layer name, IFMAP Height, IFMAP Width, Filter "
              "Height, Filter Width, Channels, Num Filter, Strides,")
    text = header + "\n" + "\n".join(", ".join(r) for r in rows) + "\n"
    sim = AcceleratorSimulator()
    _fuzz_file(".csv", text.encode() + (junk if len(junk) % 3 == 0 else b""),
               lambda path: sim.evaluate(accelerator_space().default(), path))


# ------------------------------------------------------------ sweep specs
SPEC_KEYS = ("name", "budget", "seeds", "envs", "agents", "imports", "description", "base_dir",
             "bogus")


@SETTINGS
@given(spec=st.dictionaries(st.sampled_from(SPEC_KEYS), values, max_size=6),
       budget=st.one_of(st.integers(-3, 10**13), values),
       seeds=st.one_of(st.integers(-3, 10**13), st.lists(st.integers(-3, 5), max_size=4), values),
       agent=st.one_of(st.sampled_from(["random_walk", "ga", "ppo", "collections:OrderedDict",
                                        "nope"]), values),
       grid=st.dictionaries(st.sampled_from(["population", "n_steps", "batch_size", "x"]),
                            st.one_of(values, st.lists(st.integers(-2, 100), max_size=3)),
                            max_size=2))
def fuzz_sweep_spec(spec, budget, seeds, agent, grid):
    """Sweep specs: parse + check + expand either work or raise an ArchGymError."""
    from archgym.experiment import check_spec, expand, parse_spec

    data = {"budget": budget, "seeds": seeds,
            "envs": spec.get("envs", [{"id": "archgym-test/Toy-v0"}]),
            "agents": [{"name": agent, "grid": grid}], "imports": ["tests.experiment.standin"],
            **{k: v for k, v in spec.items() if k not in ("envs",)}}

    def check():
        parsed = parse_spec(data)
        check_spec(parsed)
        expand(parsed)

    outcome(check)


# ------------------------------------------------------- DRAM memspecs
_MEMSPEC_KEYS = ("tck_ns", "devices_per_rank", "device_width", "bank_groups", "banks_per_group",
                 "rows", "columns", "burst_length", "name", "bogus", "tck_n")
_TIMING_KEYS = ("CL", "CWL", "tRCD", "tRP", "tRAS", "tRC", "tRTP", "tWR", "tCCD_S", "tCCD_L",
                "tRRD_S", "tRRD_L", "tWTR_S", "tWTR_L", "tFAW", "tRFC", "tREFI", "tRTRS", "tRDC")
_POWER_KEYS = ("vdd", "vpp", "idd0", "idd2n", "idd3n", "idd4r", "idd4w", "idd5", "ipp0", "ipp2n",
               "ipp3n")
# huge and zero timings, the bounds and just past them, and everything else
_spec_numbers = st.one_of(
    st.sampled_from([0, 1, 2, 4096, 4097, 16_384, 16_385, 131_072, 131_073, 10**6, 10**9, 2**62,
                     2**63, 2**64, -1, 0.0, 0.5, 22.0, 1e300]),
    st.integers(1, 64), st.integers(1, 64), st.integers(-10, 100_000), st.integers(0, 2**70),
    values,
)


@SETTINGS
@given(edits=st.lists(st.tuples(st.sampled_from(["top", "timing", "timing", "power"]),
                                st.integers(0, 100), _spec_numbers), max_size=4),
       drop=st.one_of(st.none(), st.sampled_from(["timing", "power", "rows", "tRP"])))
def fuzz_dram_memspec(edits, drop):
    """DRAM memspec JSON files (huge, zero, wrong-typed values, unknown keys) load and simulate,
    or are rejected; the kernel never crashes or hangs."""
    from importlib import resources

    from archgym.simulators.dram import DRAMSimulator, generate_trace

    raw = json.loads(resources.files("archgym.simulators.dram").joinpath(
        "memspec_DDR4-3200-8Gb-x8.json").read_text())
    for where, k, v in edits:
        if where == "top":
            raw[_MEMSPEC_KEYS[k % len(_MEMSPEC_KEYS)]] = v
        elif where == "timing":
            raw["timing"][_TIMING_KEYS[k % len(_TIMING_KEYS)]] = v
        else:
            raw["power"][_POWER_KEYS[k % len(_POWER_KEYS)]] = v
    if drop is not None:
        (raw["timing"] if drop == "tRP" else raw).pop(drop, None)
    trace = generate_trace("random", 200, seed=0, read_ratio=0.7)

    def run(path: str) -> None:
        sim = DRAMSimulator(path)
        metrics = sim.evaluate(sim.design_space.default(), trace)
        bad = {k: v for k, v in metrics.items() if not math.isfinite(v) or v < 0}
        if bad:
            raise AssertionError(f"memspec {raw!r}: bad metrics {bad}")

    _fuzz_file(".json", json.dumps(raw).encode(), run)


# --------------------------------------------------------- DRAM traces
_cycle = st.one_of(st.integers(0, 2000), st.integers(0, 2000), st.integers(0, 2000),
                   st.integers(0, 2**65),
                   st.sampled_from([2**62 - 1, 2**62, 2**63 - 1, 2**63, 2**64, 10**13, 10**9]))
_address = st.one_of(st.integers(0, 2**33 - 1), st.integers(0, 2**33 - 1), st.integers(0, 2**66))


@SETTINGS
@given(fmt=st.sampled_from(["stl", "dramsim3", "ramulator"]),
       rows=st.lists(st.tuples(_cycle, st.booleans(), _address), max_size=6),
       ordered=st.booleans(), junk=st.binary(max_size=8), arrays=st.booleans())
def fuzz_dram_trace(fmt, rows, ordered, junk, arrays):
    """DRAM traces (huge timestamps and addresses, sparse spans, disorder, non-UTF-8 bytes),
    as files or arrays, evaluate or are rejected, quickly."""
    from archgym.simulators.dram import DRAMSimulator, Trace

    if ordered:
        rows = sorted(rows)
    sim = DRAMSimulator()  # a fresh one: it caches traces by path, and temporary names recur
    if arrays:
        def run():
            trace = Trace([r[0] for r in rows], [r[2] for r in rows], [r[1] for r in rows])
            sim.evaluate(sim.design_space.default(), trace)

        outcome(run)
        return
    line = {"stl": "{t}:\t{op}\t0x{a:x}\n", "dramsim3": "0x{a:x} {OP} {t}\n",
            "ramulator": "{LS} 0x{a:x}\n"}[fmt]
    text = "".join(line.format(t=t, a=a, op="write" if w else "read",
                               OP="WRITE" if w else "READ", LS="ST" if w else "LD")
                   for t, w, a in rows)
    def run_file(path: str) -> None:
        metrics = sim.evaluate(sim.design_space.default(), path)
        bad = {k: v for k, v in metrics.items() if not math.isfinite(v)}
        if bad:
            raise AssertionError(f"trace {text!r}: non-finite metrics {bad}")

    _fuzz_file(".trace", text.encode() + (junk if len(junk) % 2 else b""), run_file)


# ---------------------------------------------------------------------- CLI
_words = st.sampled_from(["run", "info", "sweep", "report", "envs", "proxy", "verify", "--out",
                          "--status", "-e", "--hp", "-n", "--budget", "--workers", "-w",
                          "archgym-test/Toy-v0", "archgym/DRAMController-v0", "max_steps=nan",
                          "targets={x: 1}", "--log", "/dev/null", "-1", "1e400", "--quiet"])


@SETTINGS
@given(argv=st.lists(st.one_of(_words, st.text(max_size=8)), max_size=6))
def fuzz_cli(argv):
    """The CLI: any argument list exits cleanly (argparse usage errors included), no traceback."""
    import contextlib
    import io

    from archgym.cli import EXIT_BUG, main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse usage errors and --help
            code = exc.code if isinstance(exc.code, int) else 2
    if code == EXIT_BUG or "Traceback" in err.getvalue():
        if not COLLECT:
            raise AssertionError(f"archgym {argv!r} crashed:\n{err.getvalue()}")
        _COUNTS["bare:traceback"] += 1
        if len(_EXAMPLES) < 20:
            _EXAMPLES.append(f"traceback: archgym {argv!r}: {err.getvalue()[-300:]}")
        return
    _COUNTS["ok" if code == 0 else "rejected"] += 1


PROPERTIES = {
    "make_kwargs": fuzz_make_kwargs,
    "llm_kwargs": fuzz_llm_kwargs,
    "simulator_designs": fuzz_simulator_designs,
    "task_graph": fuzz_task_graph,
    "block_library": fuzz_block_library,
    "topology": fuzz_topology,
    "llm_trace": fuzz_llm_trace,
    "sweep_spec": fuzz_sweep_spec,
    "cli": fuzz_cli,
    "dram_memspec": fuzz_dram_memspec,
    "dram_trace": fuzz_dram_trace,
}


def main(name: str) -> None:
    """Run one property (the subprocess entry point)."""
    import tests.conftest  # noqa: F401  (registers the toy env)

    os.chdir(tempfile.mkdtemp(prefix="archgym-fuzz-"))
    try:
        PROPERTIES[name]()
    finally:
        save_counts()


if __name__ == "__main__":
    import sys

    main(sys.argv[1])
