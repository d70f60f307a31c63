"""The CLI on bad input and storage faults: one ``archgym: error:`` line, never a traceback.

Each case was a raw traceback (or a silent success) in issue 13's CLI campaign
or issue 12's scripting pitfalls.
"""

from __future__ import annotations

import argparse
import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from archgym import datalog
from archgym.cli import EXIT_STORAGE_ERROR, EXIT_USER_ERROR, build_parser, main, parse_kv
from archgym.errors import ConfigError
from tests.conftest import TOY_ID
from tests.experiment.conftest import toy_spec

ROOT = Path(__file__).resolve().parents[2]
DRAM = "archgym/DRAMController-v0"


def _error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith("archgym: error:"), err
    return err


def test_every_option_has_help_text():
    missing = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    walk(child, f"{path} {name}")
            elif not action.help and not isinstance(action, argparse._HelpAction):
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")

    walk(build_parser(), "archgym")
    assert not missing, missing


def test_env_kwargs_are_yaml_and_targets_merge(capsys):
    assert parse_kv(["t={latency_ns: 60}", "x=1e-3", "f=true", "s='5'"]) == {
        "t": {"latency_ns": 60}, "x": 1e-3, "f": True, "s": "5"}
    assert main(["info", DRAM, "-e", "targets={latency_ns: 60}"]) == 0
    out = capsys.readouterr().out
    assert "latency_ns [ns] (min)  target <= 60" in out
    assert "power_mw [mW] (min)  target <= 1400" in out  # the other defaults stay
    with pytest.raises(ConfigError, match="cannot read"):
        parse_kv(["t={latency_ns: [5}"])


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["run", TOY_ID, "-e", "max_steps=nan", "-n", "2"], "max_steps must be an integer"),
        (["run", TOY_ID, "-e", "targets={cost: [5}"], "cannot read"),
        (["run", TOY_ID, "-e", "targets={cost: -1}", "-n", "2"], "must be > 0"),
        (["run", TOY_ID, "--agent", "tpee"], "Did you mean 'tpe'"),
        (["info", DRAM, "--workload", "no/such/trace.stl"], "unknown workload"),
        (["sweep", "--status", "/no/such/folder"], "not a sweep results folder"),
        (["report", "/no/such/folder"], "not a sweep results folder"),
    ],
)
def test_user_errors_are_one_line(argv, match, capsys):
    assert main(argv) == EXIT_USER_ERROR
    assert match in _error(capsys)


def test_run_log_refuses_a_non_empty_folder_unless_appending(tmp_path, capsys):
    assert main(["run", TOY_ID, "-n", "5", "--log", str(tmp_path), "-q"]) == 0
    assert main(["run", TOY_ID, "-n", "5", "--log", str(tmp_path), "-q"]) == EXIT_USER_ERROR
    assert "--append" in _error(capsys)
    assert main(["run", TOY_ID, "-n", "5", "--log", str(tmp_path), "--append", "-q"]) == 0
    assert len(datalog.load(tmp_path)) == 10


def test_run_takes_a_workload_file(capsys):
    path = ROOT / "examples" / "dram" / "mixed.stl"
    assert main(["run", DRAM, "-w", str(path), "-n", "3", "-q"]) == 0
    assert f"({path})" in capsys.readouterr().out


def test_sweep_storage_and_spec_faults_are_one_line(tmp_path, write_spec, capsys):
    spec = write_spec(toy_spec(budget=3, seeds=1))
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert main(["sweep", str(spec), "--out", str(afile), "-q"]) != 0
    _error(capsys)
    huge = tmp_path / "huge.yaml"
    huge.write_text(yaml.safe_dump(toy_spec(budget=3, seeds=10**12)))
    assert main(["sweep", str(huge), "--out", str(tmp_path / "o"), "-q"]) == EXIT_USER_ERROR
    assert "seeds must be in [1, 100,000]" in _error(capsys)
    out = tmp_path / "done"
    assert main(["sweep", str(spec), "--out", str(out), "-j", "1", "-q"]) == 0
    capsys.readouterr()
    (out / "spec.yaml").write_text("name: toy\nbudget: [3\n")  # truncated
    assert main(["sweep", "--status", str(out)]) == EXIT_USER_ERROR
    assert "stored sweep spec is corrupted" in _error(capsys)
    assert main(["report", str(out)]) == EXIT_USER_ERROR
    assert "stored sweep spec is corrupted" in _error(capsys)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to read-only folders")
def test_read_only_out_folder_is_one_line(tmp_path, write_spec, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    spec = write_spec(toy_spec(budget=3, seeds=1))
    assert main(["sweep", str(spec), "--out", str(ro / "out"), "-q"]) != 0
    _error(capsys)


def test_a_folder_that_cannot_be_written_is_one_line(tmp_path, write_spec, capsys, monkeypatch):
    """The read-only case for root too (root may write to a chmod 500 folder)."""
    import pathlib

    ro = tmp_path / "ro"
    real_mkdir = pathlib.Path.mkdir

    def mkdir(self, *args, **kwargs):
        if self == ro or ro in self.parents:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "mkdir", mkdir)
    spec = write_spec(toy_spec(budget=3, seeds=1))
    assert main(["sweep", str(spec), "--out", str(ro / "out"), "-q"]) == EXIT_STORAGE_ERROR
    assert "Permission denied" in (err := _error(capsys)) and str(ro) in err
    assert main(["run", TOY_ID, "-n", "2", "--log", str(ro / "log"), "-q"]) == EXIT_STORAGE_ERROR
    assert "Permission denied" in _error(capsys)


def test_sweep_exits_non_zero_and_names_failed_trials(tmp_path, write_spec, capsys):
    data = toy_spec(budget=6, seeds=1)
    data["agents"][0]["grid"]["fail_at"] = [-1, 2]
    spec = write_spec(data)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o"), "-j", "1", "-q"]) == 1
    out = capsys.readouterr().out
    assert "2 failed" in out and "failed trials (2; rerun them with --retry-failed)" in out
    assert "stand-in failure at evaluation 2" in out


def test_spec_imports_and_workload_files_resolve_from_the_spec_folder(tmp_path):
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "my_agents.py").write_text(textwrap.dedent("""
        from archgym.agents import register_agent
        from archgym.agents.random_walk import RandomWalk

        class Mine(RandomWalk):
            name = "mine"

        register_agent("mine", Mine)
    """))
    traces = folder / "traces"
    traces.mkdir()
    (traces / "t.stl").write_text((ROOT / "examples/dram/mixed.stl").read_text())
    spec = {"name": "files", "imports": ["my_agents"], "budget": 3, "seeds": 1,
            "envs": [{"id": DRAM, "workloads": ["traces/t.stl"]}], "agents": ["mine"]}
    (folder / "spec.yaml").write_text(yaml.safe_dump(spec))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    cmd = [sys.executable, "-m", "archgym.cli", "sweep", "spec.yaml", "--out", str(tmp_path / "o"),
           "-j", "1", "-q"]
    done = subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    status = subprocess.run([sys.executable, "-m", "archgym.cli", "sweep", "--status",
                             str(tmp_path / "o")], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=300)
    assert "1 done, 0 failed, 0 pending" in status.stdout, status.stderr


def test_cli_verbs_take_a_task_graph_file(capsys):
    graph = ROOT / "examples" / "soc" / "camera_pipeline.yaml"
    target = "targets={latency_s: 0.05, power_peak_w: 0.01, area_mm2: 20}"
    assert main(["info", "archgym/SoC-v1", "-w", str(graph), "-e", target]) == 0
    assert str(graph) in capsys.readouterr().out
    assert main(["run", "archgym/SoC-v1", "-w", str(graph), "-e", target, "-n", "3", "-q"]) == 0
    assert f"({graph})" in capsys.readouterr().out


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_is_one_line_naming_the_file(tmp_path, write_spec, capsys, monkeypatch):
    import pyarrow.parquet as pq

    from archgym import atomic

    spec = write_spec(toy_spec(budget=3, seeds=1))
    with monkeypatch.context() as m:  # the spec is the sweep's first write
        m.setattr(atomic.os, "fsync", _disk_full)
        assert main(["sweep", str(spec), "--out", str(tmp_path / "a"), "-q"]) == EXIT_STORAGE_ERROR
    err = _error(capsys)
    assert "No space left on device" in err and "spec.yaml" in err
    with monkeypatch.context() as m:  # the trial summaries (Parquet) are written next
        m.setattr(pq, "write_table", _disk_full)
        assert main(["sweep", str(spec), "--out", str(tmp_path / "b"), "-j", "1", "-q"]) == (
            EXIT_STORAGE_ERROR)
        assert "No space left on device" in (err := _error(capsys)) and ".parquet" in err
        assert main(["run", TOY_ID, "-n", "3", "--log", str(tmp_path / "log"), "-q"]) == (
            EXIT_STORAGE_ERROR)
        assert "No space left on device" in (err := _error(capsys)) and ".parquet" in err
    # nothing half-written: the sweep resumes and finishes once there is space again
    assert main(["sweep", str(spec), "--out", str(tmp_path / "b"), "-j", "1", "-q"]) == 0
    assert not list((tmp_path / "b").rglob("*.tmp"))


def test_a_non_utf8_spec_file_is_one_line(tmp_path, capsys):
    path = tmp_path / "latin.yaml"
    data = {k: v for k, v in toy_spec(budget=3, seeds=1).items() if k != "name"}
    path.write_bytes(("name: caf\xe9\n" + yaml.safe_dump(data)).encode("latin-1"))
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "-q"]) == EXIT_USER_ERROR
    assert "latin.yaml' is not UTF-8" in _error(capsys)
    assert not (tmp_path / "o").exists()


def test_reusing_out_for_another_spec_is_refused_unless_forced(tmp_path, write_spec, capsys):
    out = tmp_path / "o"
    assert main(["sweep", str(write_spec(toy_spec(budget=3, seeds=1))), "--out", str(out),
                 "-j", "1", "-q"]) == 0
    capsys.readouterr()
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(toy_spec(budget=4, seeds=1)))
    assert main(["sweep", str(other), "--out", str(out), "-j", "1", "-q"]) == EXIT_USER_ERROR
    assert "different sweep spec (differs in: budget)" in (err := _error(capsys))
    assert "--force" in err
    assert main(["sweep", str(other), "--out", str(out), "-j", "1", "-q", "--force"]) == 0


def test_output_piped_into_head_is_not_an_error():
    # `archgym info ARCH | head -2` used to end with "archgym: error: [Errno 32] Broken pipe"
    code = ("import sys, time; from archgym.cli import main; time.sleep(2); "
            "sys.exit(main(['info', 'archgym/SoC-v1']))")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.close()  # the reader goes away before the output is written
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert b"error" not in err, err.decode()
