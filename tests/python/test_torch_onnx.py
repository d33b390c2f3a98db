#!/usr/bin/python3
"""frugal's counts against a real peer, PyTorch, and its ONNX importer against torch.onnx.export.

usage: test_torch_onnx.py FRUGAL

For the torchvision models of the zoo at 224x224 (random weights, nothing downloaded): the
parameters (sum of parameter sizes) and MACs (Conv2d and Linear layers, counted by forward hooks)
that PyTorch reports must equal `frugal describe MODEL --json`, and the same totals must come out
of `frugal describe FILE.onnx --json` after torch.onnx.export (training mode, so that batch norm
stays a layer of its own; opsets 11, 13 and 17). The exports torch.onnx.export makes by default,
in training and in evaluation mode, import too: identical initializers given other names through
Identity nodes stay separate parameters, and in evaluation mode the counts are those of the
network with batch normalization folded into the convolutions, which frugal says. Then bad ONNX
files: each must give one line on stderr naming the file (and the node), exit code 2.
"""
import json
import os
import subprocess
import sys
import tempfile
import warnings

import onnx
import torch
import torchvision
from onnx import TensorProto, helper

warnings.filterwarnings("ignore")
FRUGAL = sys.argv[1]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, flush=True)


def frugal(*args):
    return subprocess.run([FRUGAL, *args], capture_output=True, text=True)


def describe(spec, *extra):
    r = frugal("describe", spec, "--json", *extra)
    if r.returncode != 0:
        check(False, f"frugal describe {spec}: exit {r.returncode}: {r.stderr.strip()}")
        return None
    return json.loads(r.stdout)


def torch_counts(model, size=224):
    params = sum(p.numel() for p in model.parameters())
    macs = [0]

    def hook(module, inputs, output):
        if isinstance(module, torch.nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1]
            macs[0] += output.numel() * (module.in_channels // module.groups) * k
        elif isinstance(module, torch.nn.Linear):
            macs[0] += output.numel() * module.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    with torch.no_grad():
        model.eval()(torch.randn(1, 3, size, size))
    for h in handles:
        h.remove()
    return params, macs[0]


def export(model, path, opset, dynamic=False):
    model.train()
    kwargs = {}
    if dynamic:
        kwargs = {"input_names": ["x"], "dynamic_axes": {"x": {0: "batch", 2: "h", 3: "w"}}}
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), path, opset_version=opset,
                      training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False,
                      **kwargs)


torch.manual_seed(0)
with tempfile.TemporaryDirectory() as tmp:
    for name, opset in [("alexnet", 11), ("vgg16", 13), ("resnet18", 13), ("resnet50", 17),
                        ("mobilenet_v2", 17)]:
        model = getattr(torchvision.models, name)(weights=None)
        params, macs = torch_counts(model)
        zoo = describe(name)
        if zoo:
            check(zoo["params"] == params, f"{name}: zoo params {zoo['params']} != torch {params}")
            check(zoo["macs"] == macs, f"{name}: zoo MACs {zoo['macs']} != torch {macs}")
        path = os.path.join(tmp, f"{name}.onnx")
        export(model, path, opset)
        imported = describe(path)
        if imported:
            check(imported["params"] == params,
                  f"{name} (ONNX opset {opset}): params {imported['params']} != torch {params}")
            check(imported["macs"] == macs,
                  f"{name} (ONNX opset {opset}): MACs {imported['macs']} != torch {macs}")
        # The imported graph trains like the zoo's: the same backprop step, at another batch.
        a, b = describe(path, "--rule", "bp", "--batch", "4"), describe(name, "--rule", "bp", "--batch", "4")
        if a and b:
            check(a["step"]["macs_by_phase"] == b["step"]["macs_by_phase"],
                  f"{name}: bp step of the ONNX import differs from the zoo's")
        os.remove(path)
        print(f"{name}: {params:,} parameters, {macs:,} MACs: zoo and ONNX (opset {opset}) agree",
              flush=True)
        # torch.onnx.export's defaults (do_constant_folding on): the exporter keeps one copy of
        # identical initializers (zero biases) behind Identity nodes, and in evaluation mode
        # folds batch normalization into the convolutions (each gains a bias of its channels
        # and the batch norm's scale and shift, 2 per channel, go).
        folded = params - sum(m.num_features for m in model.modules()
                              if isinstance(m, torch.nn.BatchNorm2d))
        for mode in ("train", "eval"):
            model.train() if mode == "train" else model.eval()
            kwargs = {"training": torch.onnx.TrainingMode.TRAINING} if mode == "train" else {}
            torch.onnx.export(model, torch.randn(1, 3, 224, 224), path, **kwargs)
            r = frugal("describe", path, "--json")
            check(r.returncode == 0, f"{name}, default {mode} export: exit {r.returncode}, {r.stderr.strip()}")
            if r.returncode == 0:
                d = json.loads(r.stdout)
                expected = folded if mode == "eval" else params
                check(d["params"] == expected,
                      f"{name}, default {mode} export: params {d['params']:,}, expected {expected:,}")
                check(d["macs"] == macs, f"{name}, default {mode} export: MACs {d['macs']} != {macs}")
                said = "folds batch normalization" in r.stderr
                check(said == (expected != params),
                      f"{name}, default {mode} export: warning about folding {'missing' if not said else 'wrong'}: {r.stderr!r}")
            os.remove(path)
        print(f"{name}: torch.onnx.export's default exports import (evaluation mode: "
              f"{folded:,} parameters once batch norm is folded)", flush=True)

    # Dynamic input dimensions need --input-shape.
    path = os.path.join(tmp, "dynamic.onnx")
    export(torchvision.models.resnet18(weights=None), path, 13, dynamic=True)
    r = frugal("describe", path)
    check(r.returncode == 2 and "--input-shape" in r.stderr and r.stderr.count("\n") == 1,
          f"dynamic input without --input-shape: exit {r.returncode}, {r.stderr!r}")
    d = describe(path, "--input-shape", "3x224x224")
    check(d is not None and d["macs"] == 1_814_073_344, "dynamic input with --input-shape")

    # Bad files: one line naming the file (and node), exit 2.
    def expect_error(label, path, *needles, extra=()):
        r = frugal("describe", path, *extra)
        ok = r.returncode == 2 and r.stderr.count("\n") == 1 and path in r.stderr
        ok = ok and all(n in r.stderr for n in needles) and r.stdout == ""
        check(ok, f"{label}: exit {r.returncode}, stderr {r.stderr!r}")

    good = os.path.join(tmp, "small.onnx")
    export(torchvision.models.resnet18(weights=None), good, 13)
    data = open(good, "rb").read()
    truncated = os.path.join(tmp, "truncated.onnx")
    open(truncated, "wb").write(data[: len(data) // 3])
    expect_error("truncated file", truncated, "not a readable ONNX model")
    text = os.path.join(tmp, "text.onnx")
    open(text, "w").write("this is not a model\n")
    expect_error("not ONNX", text, "not a readable ONNX model")
    expect_error("missing file", os.path.join(tmp, "none.onnx"), "cannot read")

    def model_file(label, nodes, inputs, initializers=()):
        graph = helper.make_graph(nodes, label, inputs,
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                                  initializer=list(initializers))
        path = os.path.join(tmp, label + ".onnx")
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
        return path

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    cycle = model_file("cycle", [helper.make_node("Relu", ["b"], ["a"], name="first"),
                                 helper.make_node("Relu", ["a"], ["b"], name="second"),
                                 helper.make_node("Relu", ["x"], ["y"], name="out")], [x])
    expect_error("cycle", cycle, "cycle", "node '")
    missing = model_file("missing", [helper.make_node("Add", ["x", "ghost"], ["y"], name="adder")], [x])
    expect_error("missing input", missing, "node 'adder'", "'ghost'")
    zero = model_file("zero", [helper.make_node("Relu", ["x"], ["y"], name="r")],
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 0])])
    expect_error("zero dimension", zero, "dimension 0")
    w = helper.make_tensor("w", TensorProto.FLOAT, [0, 4], [])
    zero_weight = model_file("zeroweight", [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")],
                             [x], [w])
    expect_error("zero weight dimension", zero_weight, "node 'mm'", "dimension 0")
    odd = model_file("unsupported", [helper.make_node("Relu", ["x"], ["h"], name="r"),
                                     helper.make_node("TopK", ["h", "k"], ["y", "i"], name="top")],
                     [x], [helper.make_tensor("k", TensorProto.INT64, [1], [2])])
    expect_error("unsupported op", odd, "node 'top'", "op type TopK", "--onnx-unsupported=skip")
    r = frugal("describe", odd, "--onnx-unsupported", "skip")
    check(r.returncode == 0 and "warning: skipped TopK node 'top'" in r.stderr,
          f"--onnx-unsupported skip: exit {r.returncode}, {r.stderr!r}")

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("PyTorch and ONNX checks passed")
