"""Packaging: every package is listed in pyproject, and the layout maps as DESIGN.md says."""

from __future__ import annotations

from pathlib import Path

import pytest

import archgym

ROOT = Path(__file__).resolve().parents[2]
MAPPED = {
    "archgym": "archgym",
    "archgym.envs": "envs",
    "archgym.agents": "agents",
    "archgym.simulators": "simulators",
}


def _packages_on_disk() -> set[str]:
    found = set()
    for pkg, folder in MAPPED.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([pkg, *rel.parts]) if rel.parts else pkg)
    return found


def test_pyproject_lists_every_package():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"] == MAPPED
    assert set(config["packages"]) == _packages_on_disk()


def test_import_registers_envs_and_typed_marker():
    assert {"archgym/DRAMController-v0", "archgym/DNNAccelerator-v0", "archgym/SoC-v1"} <= set(
        archgym.list_envs()
    )
    assert (Path(archgym.__file__).parent / "py.typed").exists()


def test_license_and_citation_match_the_package():
    import tomllib
    import yaml

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["license"] == "Apache-2.0"
    assert "Apache License" in (ROOT / "LICENSE").read_text().splitlines()[0]
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["license"] == meta["license"]
    assert cff["version"] == meta["version"]
    assert cff["references"][0]["doi"].startswith("10.1145/")
