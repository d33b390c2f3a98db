#!/usr/bin/env bash
# Writes a fixed set of frugal outputs into DIR, to compare two builds with
# scripts/compare-results.py (a refactoring must not change a number):
#   scripts/regression-outputs.sh OLD/frugal /tmp/old && scripts/regression-outputs.sh build/frugal /tmp/new
#   /usr/bin/python3 scripts/compare-results.py /tmp/old /tmp/new
# Covers every device kind, the functional face (training, deployment, drift, spikes, pruning,
# early stopping, warm start), parallel GPUs, job scale and carbon, a sweep with sections and
# swept preset parameters, describe, presets and validate. About a minute on 2 cores. The
# flagship study (studies/flagship.ini) is the larger check: run it with both builds and compare
# the two files the same way.
set -euo pipefail
frugal=$(realpath "$1")
out=$2
mkdir -p "$out"
cd "$out"
rm -f ./*.h5 ./*.json ./*.txt

small=(--dataset synthetic --train-subset 600 --test-subset 200 --batch 32)
run() {  # NAME ARGS...: the result file NAME.h5 and the JSON summary NAME.json
  local name=$1
  shift
  "$frugal" run "$@" --out "$name.h5" --json >"$name.json"
}
run cpu-bp --model mlp:784-256-128-10 --rule bp --hw cpu
run cpu-dfa --model mlp:784-256-128-10:tanh --rule dfa --hw cpu --samples-per-epoch 60000 --epochs 3 --inference-requests 1e6
run cpu-cnn --model cnn-fmnist --rule fa --hw cpu --optimizer adam
run cpu-train --train "${small[@]}" --epochs 2 --model mlp:784-32-10:tanh --rule drtp --lr 0.05
run cpu-int8 --train "${small[@]}" --epochs 2 --model mlp:784-32-10 --precision int8 --lr 0.05
run cpu-pepita --train "${small[@]}" --epochs 1 --model mlp:784-32-10 --rule pepita --lr 0.1
run cpu-ff --train "${small[@]}" --epochs 1 --model mlp:784-32-10 --rule ff --optimizer adam --lr 0.003
run cpu-early --train "${small[@]}" --epochs 4 --model mlp:784-32-10 --early-stop 1 --sparsity 0.5 --lr 0.05
"$frugal" run --train "${small[@]}" --epochs 1 --model mlp:784-32-10 --save-model model.h5 --json >save.json
run cpu-warm --train "${small[@]}" --epochs 1 --model mlp:784-32-10 --warm-start model.h5
run gpu-gpt2 --model gpt2 --batch 8 --hw gpu:h100-sxm --precision bf16 --tokens 1e9 --pue 1.2 --region france
run gpu-3d --hw gpu:v100 --precision fp16 --model gpt:layers=8,d_model=1024,heads=16,seq=512,vocab=32000 --batch 64 --devices 16 --tensor-parallel 4 --pipeline-parallel 2 --shard-optimizer --activation-checkpointing
run gpu-dp --hw gpu:a100-80gb --precision bf16 --devices 16 --batch 256 --samples-per-epoch 1000 --epochs 3 --pue 1.5 --trials 4 --grid-gco2-per-kwh 100
run gpu-util --hw gpu:a100-40gb --model resnet50 --batch 64 --precision tf32 --utilization 0.08
run gpu-train --hw gpu:a100-80gb --precision bf16 --train "${small[@]}" --epochs 1 --model mlp:784-32-10
run pcm-deploy --train "${small[@]}" --epochs 2 --model mlp:784-32-10:tanh --hw analog:pcm --rule inference --drift-times 1,86400,31536000
run pcm-train --train "${small[@]}" --epochs 1 --model mlp:784-32-10 --hw analog:pcm --rule bp
run rram --hw analog:rram --rule inference --model mlp:784-256-128-10 --samples-per-epoch 1000
run neurram --hw analog:neurram --rule dfa --model mlp:784-256-10:tanh --set hw.adc_bits=6
run loihi-assumed --hw neuro:loihi --rule inference --spike-rate 0.05 --timesteps 16
run loihi-measured --train "${small[@]}" --epochs 2 --model mlp:784-32-10 --hw neuro:loihi --rule inference --timesteps 16
run truenorth --hw neuro:truenorth --rule inference --model mlp:256-128-10 --spike-rate 0.1 --sparsity 0.3
run loihi2 --hw neuro:loihi2 --rule inference --model mlp:784-128-10 --spike-rate 0.2 --inference-requests 1e9

cat >study.ini <<'INI'
model = mlp:784-64-10
batch = 16,64
[digital]
rule = bp, fa, inference
hw = cpu
hw.dram_energy_per_byte = 10:30:10 pJ/bit
[gpu]
rule = bp, dfa
hw = gpu:a100-80gb, gpu:h100-sxm
precision = bf16
INI
"$frugal" sweep --config study.ini --seeds 2 --jobs 2 --quiet --out sweep-sections.h5 >sweep-sections.txt
"$frugal" sweep --model mlp:784-64-10 --rule bp,inference --batch 1,4,16:64:48 --set 'hw.clock=2:3:0.5 GHz' --jobs 2 --quiet --out sweep-cpu.h5 >sweep-cpu.txt

"$frugal" validate >validate.txt
for model in mlp:784-256-128-10 lenet5 resnet18 gpt2; do
  "$frugal" describe "$model" --rule bp --json >"describe-${model//[:]/_}.json"
done
"$frugal" describe mlp:784-256-128-10 --rule dfa >describe-dfa.txt
"$frugal" presets >presets.txt
for preset in $("$frugal" presets | awk 'NR > 1 && /^[a-z]+:/ {print $1}'); do
  "$frugal" presets show "$preset" >"preset-${preset//[:]/_}.txt"
done
echo "regression outputs in $out: $(ls | wc -l) files"
