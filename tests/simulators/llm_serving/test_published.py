"""The simulator against published serving measurements (``published_figures.csv``).

59 figures from NVIDIA's TensorRT-LLM performance pages (first-token latency
at batch 1, static-batch and in-flight-batching throughput, A100/H100/H200,
Llama-2-7B/70B and Llama-3-8B/70B, FP16 and FP8). The efficiency constants
were set a priori from cited figures (``efficiency.yaml``), not fitted to
these rows.

Tolerances, and why:

* median |error| <= 15%: measured 12.1%. Vidur reports < 9% with profiled
  operators; GenZ (analytical, like this model) 5.8% geomean on its own
  validation set. An unprofiled roofline model of another framework's
  kernels cannot be expected to match that; 15% leaves room for changes of
  a few percent without hiding a broken model (a 2x error in any operator
  class moves the median far beyond it).
* in-flight-batching throughput rows (the serving regime the env explores):
  median |error| <= 15% (measured 10.6%) and every row within 40% (max 33.5%).
* batch-1 first-token latency at 128 tokens is underestimated by 37-48%: the
  published v0.5 numbers include a fixed per-request cost (runtime setup,
  no CUDA graphs) that the model lacks; those rows are only required to be
  underestimates (a sign that the model lacks the overhead, not that it is
  slow), and the 2,048-token rows within 35%.
* static-batch throughput of Llama-2-70B with long outputs (v0.6.1) is
  overestimated up to 2.3x: TensorRT-LLM's GQA decode kernel (XQA) came in
  v0.7, so v0.6.1 read the shared KV heads once per query head. Every
  static-batch row is required within 2.5x.

The CSV also stores the simulated value of every row; the test recomputes it
and fails when the model changes, so the table in the CSV stays the truth
(``python -m tests.simulators.llm_serving.published`` refreshes it).
"""

from __future__ import annotations

import statistics

import pytest

from tests.simulators.llm_serving.published import error_pct, read_rows, simulate_row

ROWS = read_rows()


def _errors(scenario: str | None = None) -> list[float]:
    return [abs(float(r["error_pct"])) for r in ROWS
            if scenario is None or r["scenario"] == scenario]


def test_the_csv_has_at_least_twenty_sourced_figures():
    assert len(ROWS) >= 20
    for r in ROWS:
        assert r["source"] and r["url"].startswith("https://") and float(r["published"]) > 0


@pytest.mark.slow
def test_simulated_column_is_what_the_simulator_gives():
    for r in ROWS:
        assert simulate_row(r) == pytest.approx(float(r["simulated"]), rel=1e-4), r["id"]
        assert error_pct(float(r["simulated"]), float(r["published"])) == pytest.approx(
            float(r["error_pct"]), abs=0.01)


def test_median_error_over_all_rows():
    assert statistics.median(_errors()) <= 15.0


def test_inflight_batching_throughput_rows():
    errors = _errors("offline")
    assert len(errors) == 40
    assert statistics.median(errors) <= 15.0
    assert max(errors) <= 40.0


def test_batch_one_first_token_latency_rows():
    for r in ROWS:
        if r["scenario"] != "ttft_b1":
            continue
        err = float(r["error_pct"])
        if int(r["isl"]) <= 128:
            assert -60.0 <= err < 0.0, r["id"]
        else:
            assert abs(err) <= 35.0, r["id"]


def test_static_batch_rows_within_a_factor_of_two_and_a_half():
    for r in ROWS:
        if r["scenario"] == "static":
            ratio = float(r["simulated"]) / float(r["published"])
            assert 1 / 2.5 <= ratio <= 2.5, r["id"]
