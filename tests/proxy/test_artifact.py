"""The artefact file: hashed, never unpickled; damaged files are refused naming the file."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from archgym.errors import DatasetError
from archgym.proxy.artifact import load_model
from tests.proxy.smoothsim import smooth_space

#: Loads every file named on the command line; prints one JSON verdict per file.
LOADER = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    from archgym.errors import ArchGymError
    from archgym.proxy.artifact import load_model
    from tests.proxy.smoothsim import smooth_space
    space = smooth_space()
    idx = np.array([[0, 0, 0, 0], [15, 15, 8, 2]])
    for path in sys.argv[1:]:
        try:
            model = load_model(path)
            model.predict_index(idx, "hot", space)
            print(json.dumps({"path": path, "loaded": True}), flush=True)
        except ArchGymError as exc:
            print(json.dumps({"path": path, "loaded": False, "error": str(exc)}), flush=True)
    """
)


def _damaged_copies(source, folder, n, seed):
    """``n`` copies of ``source`` with 1-15 bytes overwritten (each differs) at random offsets."""
    data = source.read_bytes()
    rng = np.random.default_rng(seed)
    offsets = [0, 20, len(data) - 1, *rng.integers(0, len(data), size=n - 3).tolist()]
    out = []
    for i, offset in enumerate(offsets):
        size = int(rng.integers(1, 16))
        damaged = bytearray(data)
        for k in range(offset, min(offset + size, len(data))):
            damaged[k] ^= int(rng.integers(1, 256))  # never the original byte
        path = folder / f"damaged_{i:03d}.proxy"
        path.write_bytes(bytes(damaged))
        out.append(path)
    return out


@pytest.mark.parametrize("fixture", ["gbt_path", "ensemble_path"])
def test_damaged_files_are_refused_naming_the_file_never_crash_or_hang(
    fixture, request, tmp_path
):
    source = request.getfixturevalue(fixture)
    paths = _damaged_copies(source, tmp_path, 40, seed=len(fixture))
    done = subprocess.run(
        [sys.executable, "-c", LOADER, str(source), *map(str, paths)],
        capture_output=True, text=True, timeout=300, cwd=request.config.rootpath,
    )
    assert done.returncode == 0, done.stderr[-3000:]  # no segfault, no uncaught exception
    verdicts = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(verdicts) == len(paths) + 1
    assert verdicts[0]["loaded"]  # the intact file loads
    for v in verdicts[1:]:
        assert not v["loaded"], v["path"]
        assert v["error"].startswith(f"{v['path']}: "), v["error"]


def test_the_file_starts_with_its_hash_and_a_json_manifest(gbt_path):
    header, manifest, _ = gbt_path.read_bytes().split(b"\n", 2)
    assert header.startswith(b"ARCHGYM-PROXY 2 sha256=") and len(header) == 23 + 64
    meta = json.loads(manifest)
    assert meta["env_id"] == "archgym-test/ProxySmooth-v0"
    assert meta["model"]["kind"] == "gbt" and meta["workloads"] == ["base", "hot"]


def test_a_pickle_is_never_unpickled(tmp_path):
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    bad = tmp_path / "old.pkl"
    bad.write_bytes(pickle.dumps({"format": "archgym-proxy", "proxy": Payload()}))
    with pytest.raises(DatasetError, match=r"old\.pkl: not a readable proxy model .*a pickle"):
        load_model(bad)
    assert not marker.exists()


def test_a_sound_hash_over_unsound_arrays_is_refused(gbt_path, tmp_path):
    """A file rewritten with a valid hash but a tree child pointing backwards (a loop)."""
    model = load_model(gbt_path)
    model.model._trees.left[model.model._trees.feature >= 0] = 0
    bad = model.save(tmp_path / "loop.proxy")
    with pytest.raises(DatasetError, match=r"loop\.proxy: unsound tree arrays"):
        load_model(bad)


def test_round_trip_keeps_training_design_hashes(gbt_path):
    model = load_model(gbt_path)
    assert set(model.train_designs) == {"base", "hot"}
    space = smooth_space()
    assert model.seen_in_training(np.array([[0, 0, 0, 0]]), "nowhere").tolist() == [False]
    assert model.objective("base").targets == {"latency": 25.0, "power": 10.0}
    assert space.fingerprint() == model.space_fingerprint
