"""Analytical DNN-accelerator (systolic array) simulator.

``AcceleratorSimulator`` evaluates a network on a design in about a
millisecond: SCALE-Sim v3's compute model, a DRAM tiling search, bandwidth
stalls under double buffering, and energy/area from a published 45 nm table.

    from archgym.simulators.accelerator import AcceleratorSimulator, load_topology, WORKLOADS
    sim = AcceleratorSimulator()
    sim.evaluate(design, "resnet50")
"""

from archgym.simulators.accelerator.energy import EnergyTable, load_energy_table
from archgym.simulators.accelerator.layers import Layer, LayerTable, conv_layer, gemm_layer
from archgym.simulators.accelerator.simulator import AcceleratorSimulator
from archgym.simulators.accelerator.space import DESIGN_KEYS, accelerator_space
from archgym.simulators.accelerator.systolic import DATAFLOWS
from archgym.simulators.accelerator.topology import load_topology, parse_topology
from archgym.simulators.accelerator.workloads import WORKLOADS, resolve_workload

__all__ = [
    "DATAFLOWS",
    "DESIGN_KEYS",
    "WORKLOADS",
    "AcceleratorSimulator",
    "EnergyTable",
    "Layer",
    "LayerTable",
    "accelerator_space",
    "conv_layer",
    "gemm_layer",
    "load_energy_table",
    "load_topology",
    "parse_topology",
    "resolve_workload",
]
