#!/usr/bin/python3
"""Exports a torchvision model (random weights, nothing downloaded) to ONNX for frugal.

usage: /usr/bin/python3 scripts/export_onnx.py MODEL OUT.onnx [--opset N] [--size HxW]
  MODEL: a torchvision.models name (resnet50, mobilenet_v2, ...)

The export keeps training mode, so that batch normalization stays a layer of its own (in
evaluation mode the exporter folds it into the convolutions and its parameters disappear).
Then: build/frugal describe OUT.onnx, or build/frugal run --model OUT.onnx --rule bp ...
"""
import argparse
import warnings

import torch
import torchvision

warnings.filterwarnings("ignore")
parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("model")
parser.add_argument("out")
parser.add_argument("--opset", type=int, default=13)
parser.add_argument("--size", default="224x224")
args = parser.parse_args()
h, w = (int(v) for v in args.size.split("x"))
model = getattr(torchvision.models, args.model)(weights=None).train()
torch.onnx.export(model, torch.randn(1, 3, h, w), args.out, opset_version=args.opset,
                  training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False)
print(f"wrote {args.out}")
