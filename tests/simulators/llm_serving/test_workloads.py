"""Shipped workloads follow their published statistics; trace files load or fail clearly."""

from __future__ import annotations

import numpy as np
import pytest

from archgym.errors import TraceError, UnknownName
from archgym.simulators.llm_serving import WORKLOADS, generate_trace, load_trace, resolve_workload
from archgym.simulators.llm_serving.traces import trace_statistics


@pytest.mark.parametrize("name", WORKLOADS)
def test_shipped_workloads_resolve_to_1000_requests(name):
    w = resolve_workload(name)
    assert len(w.trace) == 1000 and w.model.key == name.split("/")[0]
    assert np.all(np.diff(w.trace.arrival_s) >= 0)


@pytest.mark.parametrize(("kind", "prompt_median", "output_median"), [
    ("azure-conv", 1020, 129),           # Splitwise / Azure 2023 conversation
    ("azure-code", 1469, 13),            # Azure 2023 coding (Splitwise reports 1,500 / 13)
    ("sharegpt", 1730, 415),             # Sarathi-Serve Table 2, openchat_sharegpt4
    ("arxiv-summarization", 7059, 208),  # Sarathi-Serve Table 2
])
def test_length_medians_follow_the_published_statistics(kind, prompt_median, output_median):
    stats = trace_statistics(generate_trace(kind, 20_000, 5.0, seed=0))
    assert stats["prompt_median"] == pytest.approx(prompt_median, rel=0.06)
    assert stats["output_median"] == pytest.approx(output_median, rel=0.06)


def test_rate_and_burstiness():
    poisson = generate_trace("azure-conv", 20_000, 4.0, seed=1, interarrival_cv=1.0)
    bursty = generate_trace("azure-conv", 20_000, 4.0, seed=1, interarrival_cv=4.0)
    for t in (poisson, bursty):
        assert trace_statistics(t)["rate_per_s"] == pytest.approx(4.0, rel=0.1)
    cv = [np.std(np.diff(t.arrival_s)) / np.mean(np.diff(t.arrival_s)) for t in (poisson, bursty)]
    assert cv[0] == pytest.approx(1.0, abs=0.05) and cv[1] == pytest.approx(4.0, rel=0.2)
    offline = generate_trace("sharegpt", 10, float("inf"))
    assert np.all(offline.arrival_s == 0)


def test_trace_files_in_both_formats(tmp_path):
    own = tmp_path / "mine.csv"
    own.write_text("# model: llama-3-70b\narrival_s,prompt_tokens,output_tokens\n"
                   "0.5,100,20\n0.0,300,5\n")
    t = load_trace(own)
    assert t.arrival_s.tolist() == [0.0, 0.5] and t.prompt_tokens.tolist() == [300, 100]
    assert resolve_workload(str(own)).model.key == "llama-3-70b"
    assert resolve_workload(f"mixtral-8x7b:{own}").model.key == "mixtral-8x7b"
    azure = tmp_path / "azure.csv"
    azure.write_text("TIMESTAMP,ContextTokens,GeneratedTokens\n"
                     "2023-11-16 18:17:03.9799600,4808,10\n2023-11-16 18:17:05.0319600,3180,8\n")
    a = load_trace(azure)
    assert a.arrival_s == pytest.approx([0.0, 1.052]) and a.output_tokens.tolist() == [10, 8]
    assert resolve_workload(str(azure)).model.key == "llama-3-8b"


@pytest.mark.parametrize(("text", "needle"), [
    ("a,b\n1,2\n", "header must name"),
    ("arrival_s,prompt_tokens,output_tokens\n0,ten,5\n", ":2: malformed row"),
    ("arrival_s,prompt_tokens,output_tokens\n0,10,0\n", "output_tokens=0"),
    ("arrival_s,prompt_tokens,output_tokens\n", "no requests"),
])
def test_malformed_trace_files_name_the_problem(tmp_path, text, needle):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(TraceError, match=needle):
        load_trace(path)


def test_unknown_names_suggest_shipped_ones():
    with pytest.raises(UnknownName, match="llama-3-8b/azure-conv"):
        resolve_workload("llama-3-8b/azure-con")
    with pytest.raises(UnknownName, match="model"):
        resolve_workload("gpt-5:/nonexistent.csv")
