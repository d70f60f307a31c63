"""Shipped layer tables (MAC totals against the publications) and topology files."""

from __future__ import annotations

import pytest

from archgym.errors import ConfigError, UnknownName
from archgym.simulators.accelerator import (
    WORKLOADS,
    AcceleratorSimulator,
    LayerTable,
    conv_layer,
    load_topology,
    resolve_workload,
)

BERT_MACS = 4 * 128 * 768 * 768 + 2 * 12 * 128 * 128 * 64 + 2 * 128 * 768 * 3072
GPT2_MACS = 12 * (768 * 2304 + 2 * 12 * 1024 * 64 + 768 * 768 + 2 * 768 * 3072) + 768 * 50257


@pytest.mark.parametrize(("name", "published", "rel"), [
    ("resnet50", 3.8e9, 0.02),      # He et al. 2016, Table 1: 3.8 x 10^9 multiply-adds
    ("resnet18", 1.8e9, 0.02),      # He et al. 2016, Table 1: 1.8 x 10^9
    ("vgg16", 15.5e9, 0.01),        # widely quoted 15.5 G multiply-adds (224x224)
    ("mobilenetv2", 300e6, 0.01),   # Sandler et al. 2018, Table 4: 300M multiply-adds
    ("bert_base_layer", BERT_MACS, 0.0),
    ("gpt2_small_decode", GPT2_MACS, 0.0),
])
def test_total_macs_match_published_figures(name, published, rel):
    assert WORKLOADS[name].total_macs == pytest.approx(published, rel=rel)


def test_alexnet_layer_shapes():
    net = WORKLOADS["alexnet"]
    conv1 = net.layers[0]
    assert (conv1.M, conv1.N, conv1.K) == (55 * 55, 96, 11 * 11 * 3)
    assert net.layers[5].K == 9216 and net.layers[5].N == 4096


def test_workloads_mapping():
    assert list(WORKLOADS) == ["alexnet", "vgg16", "resnet18", "resnet50", "mobilenetv2",
                               "bert_base_layer", "gpt2_small_decode"]
    with pytest.raises(UnknownName, match="resnet50"):
        WORKLOADS["resnet05"]


def test_depthwise_lowering():
    layer = conv_layer("dw", 114, 114, 3, 3, 96, 96, 2, depthwise=True)
    assert (layer.M, layer.N, layer.K, layer.count) == (56 * 56, 1, 9, 96)
    assert layer.ifmap_unique == 114 * 114


CONV_CSV = (
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
    "Num Filter, Strides,\n"
) + """Conv1, 230, 230, 7, 7, 3, 64, 2,
CB2a_DP, 58, 58, 3, 3, 64, 64, 1,

FC, 1, 2048, 1, 2048, 1, 1000, 1, 1:1,
"""
GEMM_CSV = "Layer, M, N, K,\nqkv, 128, 768, 768,\nffn, 128, 3072, 768\n"


def test_load_conv_topology(tmp_path):
    path = tmp_path / "net.csv"
    path.write_text(CONV_CSV)
    net = load_topology(path)
    assert net.name == "net" and net.names == ("Conv1", "CB2a_DP", "FC")
    c1, dp, fc = net.layers
    assert (c1.M, c1.N, c1.K) == (112 * 112, 64, 147)
    assert (dp.kind, dp.M, dp.N, dp.K, dp.count) == ("dwconv", 56 * 56, 1, 9, 64)
    assert (fc.M, fc.N, fc.K) == (1, 1000, 2048)


def test_load_gemm_topology_and_evaluate_by_path(tmp_path):
    path = tmp_path / "bert.csv"
    path.write_text(GEMM_CSV)
    net = load_topology(path)
    assert [(x.M, x.N, x.K) for x in net.layers] == [(128, 768, 768), (128, 3072, 768)]
    sim = AcceleratorSimulator()
    design = sim.design_space.default()
    by_path = sim.evaluate(design, str(path))
    same = LayerTable([*net.layers], name="x")
    assert by_path == sim.evaluate(design, same)


@pytest.mark.parametrize(("text", "match"), [
    ("Layer, M, N, K,\nqkv, 128, 768,\n", r"net\.csv:2: expected at least 4 columns"),
    ("Layer, M, N, K,\nqkv, 128, x, 768,\n", r"net\.csv:2: column 'N' must be an integer, got 'x'"),
    ("Layer, M, N, K,\n\nqkv, 128, 0, 768,\n",
     r"net\.csv:3: column 'N' must be in \[1, 2,147,483,647\], got 0"),
    ("Name, A, B,\n", r"net\.csv:1: unrecognised header"),
    ("Layer, M, N, K,\n", r"net\.csv: topology file has a header but no layers"),
    (CONV_CSV.replace("230, 230, 7", "5, 5, 7"), r"net\.csv:2: .*filter 7x7 is larger"),
])
def test_topology_errors_name_file_and_line(tmp_path, text, match):
    path = tmp_path / "net.csv"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match):
        load_topology(path)


def test_missing_topology_file_and_unknown_name(tmp_path):
    with pytest.raises(ConfigError, match="cannot read topology file"):
        load_topology(tmp_path / "nope.csv")
    with pytest.raises(UnknownName, match="Did you mean 'resnet50'"):
        resolve_workload("resnet-50")
