"""Record SCALE-Sim v3 golden values for the accelerator simulator's tests.

How the golden CSV was produced (``tests/simulators/accelerator/scalesim_golden.csv``):

1. SCALE-Sim v3 (PyPI ``scalesim`` 3.0.0) needs ``numpy<2.3``, which clashes with
   the project's environment, so it runs in its own virtual environment::

       python3 -m venv .scalesim-venv            # at the repository root; gitignored
       .scalesim-venv/bin/pip install scalesim "numpy<2.3"

   Running this script with any other interpreter does both steps itself and
   re-runs the script inside that venv.
2. For every case below the script writes a SCALE-Sim config (``InterfaceBandwidth
   = CALC``: SCALE-Sim's compute-bound / bandwidth-estimation mode, no stalls), a
   one-layer topology CSV (conv form, or GEMM form with ``input_type_gemm=True``)
   and a dummy layout file, runs ``scalesim.scale_sim.scalesim`` and reads its
   ``COMPUTE_REPORT.csv`` and ``DETAILED_ACCESS_REPORT.csv``.
3. The rows are written to the golden CSV, one per case.

Usage::

    python benchmarks/scalesim_golden.py [--out PATH] [--venv PATH]

The cases cover conv and GEMM layers, the three dataflows and arrays from 8x8
to 128x128 (square and rectangular), with two SRAM configurations.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "simulators" / "accelerator" / "scalesim_golden.csv"
DEFAULT_VENV = ROOT / ".scalesim-venv"

# name, kind, ifmap_h, ifmap_w (padded), filter_h, filter_w, channels, filters, stride
CONV_LAYERS = [
    ("conv3x3_s1", 18, 18, 3, 3, 16, 32, 1),
    ("conv3x3_s2", 15, 15, 3, 3, 8, 24, 2),
    ("conv1x1", 14, 14, 1, 1, 64, 64, 1),
    ("conv5x5_c3", 32, 32, 5, 5, 3, 16, 1),
    ("conv3x3_deep", 9, 9, 3, 3, 128, 128, 1),
]
# name, M, N, K
GEMM_LAYERS = [
    ("gemm_128x64x256", 128, 64, 256),
    ("gemm_64x256x128", 64, 256, 128),
    ("gemv_1x512x256", 1, 512, 256),
    ("gemm_odd_100x30x70", 100, 30, 70),
    ("gemm_256x256x64", 256, 256, 64),
]
ARRAYS = [(8, 8), (16, 16), (32, 32), (64, 64), (128, 128), (8, 32), (32, 16)]
DATAFLOWS = ["ws", "os", "is"]
SRAM_CONFIGS = [(64, 64, 32), (1024, 1024, 512)]

FIELDS = [
    "case", "kind", "ifmap_h", "ifmap_w", "filter_h", "filter_w", "channels", "num_filters",
    "stride", "M", "N", "K", "rows", "cols", "dataflow", "ifmap_kb", "filter_kb", "ofmap_kb",
    "compute_cycles", "stall_cycles", "mapping_eff_pct", "compute_util_pct",
    "sram_ifmap_reads", "sram_filter_reads", "sram_ofmap_writes",
    "dram_ifmap_reads", "dram_filter_reads", "dram_ofmap_writes",
]

CONFIG_TEMPLATE = """[general]
run_name = {run}

[architecture_presets]
ArrayHeight:    {rows}
ArrayWidth:     {cols}
IfmapSramSzkB:    {ikb}
FilterSramSzkB:   {fkb}
OfmapSramSzkB:    {okb}
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Dataflow : {df}
Bandwidth : 10
ReadRequestBuffer: 32
WriteRequestBuffer: 32

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: 10
IfmapSRAMBankNum: 10
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: 10
FilterSRAMBankNum: 10
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport : false
SparseRep : ellpack_block
OptimizedMapping : false
BlockSize : 8
RandomNumberGeneratorSeed : 40

[run_presets]
InterfaceBandwidth: CALC
UseRamulatorTrace: False
"""


def ensure_venv(venv: Path) -> None:
    """Re-run this script inside ``venv`` (created with scalesim) unless scalesim imports."""
    try:
        import scalesim  # noqa: F401
    except ImportError:
        python = venv / "bin" / "python"
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", "scalesim", "numpy<2.3"], check=True
            )
        os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


def _cases() -> list[dict]:
    layers = [
        dict(case=n, kind="conv", ifmap_h=h, ifmap_w=w, filter_h=r, filter_w=s, channels=c,
             num_filters=k, stride=st)
        for n, h, w, r, s, c, k, st in CONV_LAYERS
    ] + [
        dict(case=n, kind="gemm", ifmap_h=m, ifmap_w=kk, filter_h=1, filter_w=kk, channels=1,
             num_filters=nn, stride=1, M=m, N=nn, K=kk)
        for n, m, nn, kk in GEMM_LAYERS
    ]
    out = []
    i = 0
    for layer in layers:
        for df in DATAFLOWS:
            for _ in range(2):  # two array shapes per (layer, dataflow), cycling the list
                rows, cols = ARRAYS[i % len(ARRAYS)]
                ikb, fkb, okb = SRAM_CONFIGS[i % len(SRAM_CONFIGS)]
                i += 1
                out.append(dict(layer, dataflow=df, rows=rows, cols=cols,
                                ifmap_kb=ikb, filter_kb=fkb, ofmap_kb=okb))
    return out


def _read_report(path: Path) -> dict[str, str]:
    with open(path) as f:
        rows = [[c.strip() for c in line.split(",")] for line in f if line.strip()]
    return dict(zip(rows[0], rows[1], strict=False))


def run_case(case: dict, work: Path) -> dict:
    """Run SCALE-Sim on one case and return the golden row."""
    from scalesim.scale_sim import scalesim

    run = f"{case['case']}_{case['dataflow']}_{case['rows']}x{case['cols']}"
    cfg = work / f"{run}.cfg"
    cfg.write_text(CONFIG_TEMPLATE.format(
        run=run, rows=case["rows"], cols=case["cols"], ikb=case["ifmap_kb"],
        fkb=case["filter_kb"], okb=case["ofmap_kb"], df=case["dataflow"]))
    topo = work / f"{run}_topo.csv"
    gemm = case["kind"] == "gemm"
    if gemm:
        topo.write_text(f"Layer, M, N, K,\n{run}, {case['M']}, {case['N']}, {case['K']},\n")
    else:
        topo.write_text(
            "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
            "Num Filter, Strides,\n"
            f"{run}, {case['ifmap_h']}, {case['ifmap_w']}, {case['filter_h']}, "
            f"{case['filter_w']}, {case['channels']}, {case['num_filters']}, {case['stride']},\n")
    layout = work / f"{run}_layout.csv"
    layout.write_text("Layer name," + ",".join(["x"] * 20) + ",\n"
                      + run + "," + ",".join(["1"] * 20) + ",\n")
    sim = scalesim(save_disk_space=True, verbose=False, config=str(cfg), topology=str(topo),
                   layout=str(layout), input_type_gemm=gemm)
    out_dir = work / "out"
    out_dir.mkdir(exist_ok=True)
    sim.run_scale(top_path=str(out_dir))
    comp = _read_report(out_dir / run / "COMPUTE_REPORT.csv")
    det = _read_report(out_dir / run / "DETAILED_ACCESS_REPORT.csv")
    if not gemm:
        e = (case["ifmap_h"] - case["filter_h"]) // case["stride"] + 1
        f = (case["ifmap_w"] - case["filter_w"]) // case["stride"] + 1
        case = dict(case, M=e * f, N=case["num_filters"],
                    K=case["filter_h"] * case["filter_w"] * case["channels"])
    return dict(
        case,
        compute_cycles=int(float(comp["Total Cycles"])),
        stall_cycles=int(float(comp["Stall Cycles"])),
        mapping_eff_pct=round(float(comp["Mapping Efficiency %"]), 4),
        compute_util_pct=round(float(comp["Compute Util %"]), 4),
        sram_ifmap_reads=int(float(det["SRAM IFMAP Reads"])),
        sram_filter_reads=int(float(det["SRAM Filter Reads"])),
        sram_ofmap_writes=int(float(det["SRAM OFMAP Writes"])),
        dram_ifmap_reads=int(float(det["DRAM IFMAP Reads"])),
        dram_filter_reads=int(float(det["DRAM Filter Reads"])),
        dram_ofmap_writes=int(float(det["DRAM OFMAP Writes"])),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    args = parser.parse_args()
    ensure_venv(args.venv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in _cases():
            rows.append(run_case(case, Path(tmp)))
            print(f"{rows[-1]['case']:>20} {case['dataflow']} {case['rows']:>3}x{case['cols']:<3}"
                  f" cycles={rows[-1]['compute_cycles']}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", newline="") as f:
        f.write("# SCALE-Sim v3.0.0 (pip scalesim, numpy<2.3), InterfaceBandwidth=CALC; "
                "produced by benchmarks/scalesim_golden.py\n")
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row[k] for k in FIELDS})
    print(f"wrote {len(rows)} cases to {args.out}")


if __name__ == "__main__":
    main()
