"""Simulators know nothing of Gymnasium: each one imports and evaluates with it blocked."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import archgym
from archgym.env import unwrap

PACKAGES = sorted(
    {type(unwrap(archgym.make(env_id)).simulator).__module__.rsplit(".", 1)[0]
     for env_id in archgym.list_envs()}
)


@pytest.mark.parametrize("package", PACKAGES)
def test_simulator_package_works_without_gymnasium(package):
    code = textwrap.dedent(f"""
        import sys
        sys.modules["gymnasium"] = None   # any import of gymnasium now fails
        import importlib
        from archgym.simulator import Simulator
        pkg = importlib.import_module({package!r})
        sims = [getattr(pkg, n) for n in pkg.__all__
                if isinstance(getattr(pkg, n), type) and issubclass(getattr(pkg, n), Simulator)]
        assert len(sims) == 1, sims
        sim = sims[0]()
        outs = []
        for workload in sim.workloads:   # the default design of some shipped workload
            try:
                outs.append(sim.evaluate(sim.design_space.default(), workload))
            except Exception as exc:
                if type(exc).__name__ != "InvalidDesign":
                    raise
        assert outs
        out = outs[0]
        assert "gymnasium" not in {{m.split(".")[0] for m in sys.modules if sys.modules[m]}}
        print(sorted(out)[:2])
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
