"""DesignSpace: round trips (property tests), sizes, features, and error messages."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archgym.errors import InvalidDesign
from archgym.parameters import Categorical, IntegerChoices, IntegerRange, PowerOfTwo
from archgym.space import Constraint, DesignSpace
from tests.toysim import toy_space

SPACE = toy_space()


@st.composite
def index_vectors(draw, space: DesignSpace = SPACE):
    return np.array([draw(st.integers(0, int(n) - 1)) for n in space.nvec], dtype=np.int64)


@given(index_vectors())
def test_index_design_round_trip(idx):
    design = SPACE.from_index(idx)
    assert list(design) == list(SPACE.names)
    if design["a"] == "c" and design["d"] == 64:  # the toy space's one constraint
        with pytest.raises(InvalidDesign, match="constraint"):
            SPACE.to_index(design)
    else:
        np.testing.assert_array_equal(SPACE.to_index(design), idx)


@given(index_vectors())
def test_features_shape_and_range(idx):
    feats = SPACE.to_features_batch(idx[None, :])
    assert feats.shape == (1, SPACE.n_features)
    assert np.all((feats >= 0) & (feats <= 1))


@settings(max_examples=50)
@given(
    st.lists(st.sampled_from(["u", "v", "w", "x"]), min_size=1, max_size=4, unique=True),
    st.integers(0, 5),
    st.integers(1, 20),
)
def test_size_is_product_of_parameter_sizes(labels, exp, width):
    space = DesignSpace(
        {
            "cat": Categorical(labels),
            "pow": PowerOfTwo(1, 2**exp),
            "rng": IntegerRange(0, width - 1),
        }
    )
    assert space.size == len(labels) * (exp + 1) * width
    assert space.gym_space().nvec.tolist() == [len(labels), exp + 1, width]


def test_sizes_and_names():
    assert SPACE.names == ("a", "b", "c", "d", "e", "f")
    assert len(SPACE) == 6
    assert SPACE.size == 4 * 3 * 2 * 7 * 4 * 10


def test_feature_encoding_is_documented_one():
    design = {"a": "y", "b": "hi", "c": "p", "d": 8, "e": 4, "f": 9}
    f = SPACE.to_features(design)
    # one-hot a (4) + one-hot b (3) + one-hot c (2) + log2 scaled d + log2 scaled e + scaled f
    expected = [0, 1, 0, 0, 0, 0, 1, 1, 0, 3 / 6, 1 / 3, 1.0]
    np.testing.assert_allclose(f, expected)
    assert SPACE.feature_names[:4] == ("a=x", "a=y", "a=z", "a=c")
    # a non-power-of-two IntegerChoices is scaled linearly
    space = DesignSpace({"n": IntegerChoices([3, 5, 11])})
    np.testing.assert_allclose(space.to_features_batch([{"n": 5}]), [[0.25]])


def test_sample_is_valid_and_seeded():
    a = [SPACE.sample(np.random.default_rng(7)) for _ in range(3)]
    b = [SPACE.sample(np.random.default_rng(7)) for _ in range(3)]
    assert a == b
    rng = np.random.default_rng(0)
    for _ in range(500):
        assert SPACE.is_valid(SPACE.sample(rng))


def test_numpy_scalars_are_accepted_and_normalised():
    d = SPACE.validate(
        {"a": np.str_("z"), "b": "mid", "c": "p", "d": np.int64(16), "e": 8.0, "f": np.int32(3)}
    )
    assert d == {"a": "z", "b": "mid", "c": "p", "d": 16, "e": 8, "f": 3}
    assert type(d["d"]) is int


@pytest.mark.parametrize(
    ("design", "fragments"),
    [
        ({"a": "z", "b": "mid", "c": "p", "d": 16, "e": 8, "ff": 3}, ["'ff'", "Did you mean 'f'"]),
        ({"a": "z", "b": "mid", "c": "p", "d": 16, "e": 8}, ["missing", "f"]),
        ({"a": "z", "b": "mid", "c": "p", "d": 12, "e": 8, "f": 3}, ["'d'", "12", "{1, 2, 4"]),
        ({"a": "w", "b": "mid", "c": "p", "d": 16, "e": 8, "f": 3}, ["'a'", "'w'", "x, y, z, c"]),
        ({"a": "z", "b": "mid", "c": "p", "d": 16, "e": True, "f": 3}, ["'e'", "True"]),
        ({"a": "c", "b": "mid", "c": "p", "d": 64, "e": 8, "f": 3}, ["constraint", "forbids d=64"]),
    ],
)
def test_bad_designs_name_parameter_and_value(design, fragments):
    with pytest.raises(InvalidDesign) as err:
        SPACE.validate(design)
    for frag in fragments:
        assert frag in str(err.value)


def test_from_index_rejects_out_of_range():
    with pytest.raises(InvalidDesign, match=r"'d': index 7 is out of range \[0, 6\]"):
        SPACE.from_index([0, 0, 0, 7, 0, 0])
    with pytest.raises(InvalidDesign, match="shape"):
        SPACE.from_index([0, 0])


def test_optuna_round_trip_and_views():
    d = {"a": "y", "b": "hi", "c": "q", "d": 4, "e": 16, "f": 0}
    params = SPACE.to_optuna(d)
    assert params == {"a": "y", "b": "hi", "c": "q", "d": 2, "e": 3, "f": 0}
    assert SPACE.from_optuna(params) == d
    dists = SPACE.optuna_distributions()
    assert dists["d"].high == 6 and dists["a"].choices == ("x", "y", "z", "c")
    assert set(SPACE.dict_space().spaces) == set(SPACE.names)
    assert SPACE.default() == {"a": "x", "b": "lo", "c": "p", "d": 1, "e": 2, "f": 0}


def test_fingerprint_changes_with_values():
    other = DesignSpace({**SPACE.parameters, "f": IntegerRange(0, 10)})
    assert other.fingerprint() != SPACE.fingerprint()
    assert toy_space() == SPACE


def test_bad_declarations():
    with pytest.raises(ValueError, match="powers of two"):
        PowerOfTwo(3, 16)
    with pytest.raises(ValueError, match="distinct"):
        Categorical(["a", "a"])
    with pytest.raises(TypeError, match="integers"):
        IntegerChoices([1, 2.5])
    with pytest.raises(ValueError, match="default"):
        Categorical(["a"], default="b")
    space = DesignSpace({"x": IntegerRange(0, 1)}, [Constraint(lambda d: False, "never")])
    with pytest.raises(InvalidDesign, match="no valid design"):
        space.sample(np.random.default_rng(0), max_tries=10)
