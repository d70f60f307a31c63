"""Property tests for the SCALE-Sim topology parser: any text parses or raises ConfigError."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from archgym.errors import ConfigError
from archgym.simulators.accelerator import load_topology
from archgym.simulators.accelerator.topology import parse_topology

CONV_HEADER = (
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
    "Num Filter, Strides,"
)
cell = st.one_of(
    st.integers(-5, 300).map(str),
    st.text(alphabet="abcxyz-_. 0123456789", max_size=6),
    st.just(""),
)
row = st.lists(cell, min_size=0, max_size=9).map(lambda cs: ", ".join(cs))


@settings(max_examples=200, deadline=None)
@given(st.lists(row, max_size=6), st.sampled_from([CONV_HEADER, "Layer, M, N, K,", "junk"]))
def test_arbitrary_rows_parse_or_raise_config_error_with_location(rows, header):
    text = "\n".join([header, *rows])
    try:
        table = parse_topology(text, source="net.csv", name="net")
    except ConfigError as exc:
        assert "net.csv" in str(exc)
    else:
        assert len(table) >= 1


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 64), st.integers(1, 64), st.integers(1, 64)),
        min_size=1,
        max_size=5,
    )
)
def test_valid_gemm_files_round_trip(tmp_path_factory, shapes):
    lines = ["Layer, M, N, K,"] + [f"g{i}, {m}, {n}, {k}," for i, (m, n, k) in enumerate(shapes)]
    path = tmp_path_factory.mktemp("topo") / "gemms.csv"
    path.write_text("\n".join(lines) + "\n")
    table = load_topology(path)
    assert table.name == "gemms" and table.names == tuple(f"g{i}" for i in range(len(shapes)))
    assert table.M.tolist() == [m for m, _, _ in shapes]
    assert table.N.tolist() == [n for _, n, _ in shapes]
    assert table.K.tolist() == [k for _, _, k in shapes]
