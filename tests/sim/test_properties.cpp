// Properties that must hold for any scenario, checked over randomly generated ones (seeded, so a
// failure reproduces): random MLP shapes, rules, devices, batches and parameters in range.

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "hw_models/device.h"
#include "results/core/error.h"
#include "sim/metrics/figures.h"
#include "sim/metrics/result_tables.h"
#include "sim/scenario/run_scenario.h"

using namespace frugal;
using namespace frugal::sim;

namespace {

// A random scenario: an MLP of 1 to 3 hidden layers (8 to 512 wide, 4 to 784 inputs, 2 to 100
// outputs), a rule the device runs, a batch of 1 to 256, a device and its parameters in range.
Scenario random_scenario(std::mt19937_64& rng) {
  const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Scenario s;
  std::string model = "mlp:" + std::to_string(pick(4, 784));
  const int hidden = pick(1, 3);
  for (int i = 0; i < hidden; ++i) model += "-" + std::to_string(pick(8, 512));
  model += "-" + std::to_string(pick(2, 100));
  const std::vector<std::string> functions = {"", ":relu", ":tanh", ":sigmoid"};
  s.model = model + functions[static_cast<size_t>(pick(0, 3))];
  s.batch = pick(1, 256);
  const std::vector<std::string> devices = {"cpu",         "gpu:a100-80gb", "gpu:h100-sxm",
                                            "gpu:v100",    "analog:pcm",    "analog:rram",
                                            "neuro:loihi", "neuro:loihi2"};
  s.hw = devices[static_cast<size_t>(pick(0, static_cast<int>(devices.size()) - 1))];
  const std::vector<std::string> rules = {"bp",     "fa",        "dfa", "drtp",
                                          "pepita", "mempepita", "ff",  "inference"};
  s.rule = rules[static_cast<size_t>(pick(0, static_cast<int>(rules.size()) - 1))];
  if (s.hw.rfind("neuro", 0) == 0) {
    s.rule = "inference";
    s.timesteps = pick(1, 64);
    s.spike_rate = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  }
  if (s.hw == "gpu:v100")
    s.precision = pick(0, 1) ? "fp16" : "fp32";
  else if (s.hw.rfind("gpu", 0) == 0)
    s.precision =
        std::vector<std::string>{"fp32", "tf32", "bf16", "fp16"}[static_cast<size_t>(pick(0, 3))];
  const std::vector<std::string> optimizers = {"sgd", "momentum", "adam"};
  s.optimizer = optimizers[static_cast<size_t>(pick(0, 2))];
  s.samples_per_epoch = pick(0, 1) ? pick(1, 10000) : 0;
  s.pue = std::uniform_real_distribution<double>(1.0, 2.0)(rng);
  s.seed = pick(0, 1000);
  return s;
}

std::string describe(const Scenario& s) {
  return s.model + " " + s.rule + " on " + s.hw + " (" + s.precision + "), batch " +
         std::to_string(s.batch) + ", " + s.optimizer;
}

double compute_energy(const ScenarioOutcome& o) {
  return o.cost.ledger.component(hw::Component::compute);
}

}  // namespace

TEST_CASE(
    "Random scenarios: energy parts sum to the total, all positive and finite, the power "
    "trace integrates to the energy, reruns identical",
    "[quick][sim][properties]") {
  std::mt19937_64 rng(20261127);
  int ran = 0;
  for (int n = 0; n < 200; ++n) {
    const Scenario s = random_scenario(rng);
    INFO("scenario " << n << ": " << describe(s));
    ScenarioOutcome o = [&] {
      try {
        return run_scenario(s);
      } catch (const InputError& e) {  // a refusal must name the problem, on one line
        const std::string what = e.what();
        CHECK(what.find('\n') == std::string::npos);
        CHECK(what.size() > 10);
        throw;
      }
    }();
    ++ran;
    const hw::EnergyLedger& ledger = o.cost.ledger;
    const double total = ledger.total();
    CHECK(std::isfinite(total));
    CHECK(total > 0);
    CHECK(std::isfinite(o.cost.latency_s));
    CHECK(o.cost.latency_s > 0);
    double components = 0, phases = 0;
    for (int k = 0; k < hw::kComponentCount; ++k) {
      const double part = ledger.component(hw::component_from_index(k));
      CHECK(part >= 0);
      components += part;
    }
    for (int k = 0; k < workloads::kPhaseCount; ++k)
      phases += ledger.phase(workloads::phase_from_index(k));
    CHECK(components == Approx(total).epsilon(1e-9));
    CHECK(phases == Approx(total).epsilon(1e-9));
    double ops = 0;
    for (const hw::OpCost& c : o.cost.ops) ops += c.energy_total_j();
    CHECK(ops == Approx(total).epsilon(1e-9));
    const PowerTrace trace = power_trace(o.cost, 100);
    double integral = 0;
    for (double w : trace.power_w) {
      CHECK(w >= 0);
      integral += w * trace.dt_s;
    }
    CHECK(integral == Approx(total).epsilon(1e-6));
    CHECK(job_energy_j(o) >= 0);
    CHECK(co2e_kg(o) >= 0);
    CHECK(job_facility_energy_j(o) >= job_energy_j(o));
    const ScenarioOutcome again = run_scenario(s);
    CHECK(again.cost.ledger.total() == total);  // bit for bit
    CHECK(again.cost.latency_s == o.cost.latency_s);
  }
  CHECK(ran == 200);
}

TEST_CASE("Random scenarios: a larger batch or a wider model never costs less compute energy",
          "[quick][sim][properties]") {
  std::mt19937_64 rng(42);
  for (int n = 0; n < 100; ++n) {
    Scenario s = random_scenario(rng);
    s.samples_per_epoch = 0;
    INFO("scenario " << n << ": " << describe(s));
    const double base = compute_energy(run_scenario(s));
    Scenario larger = s;
    larger.batch = s.batch * 2;
    CHECK(compute_energy(run_scenario(larger)) >= base * (1 - 1e-12));
    // Every hidden layer twice as wide (the input and output sizes kept).
    Scenario wider = s;
    const std::string spec = s.model.substr(4);  // after "mlp:"
    const auto colon = spec.find(':');
    const std::string sizes = spec.substr(0, colon);
    const std::string function = colon == std::string::npos ? "" : spec.substr(colon);
    std::vector<std::string> parts;
    for (size_t start = 0, dash;; start = dash + 1) {
      dash = sizes.find('-', start);
      parts.push_back(sizes.substr(start, dash == std::string::npos ? dash : dash - start));
      if (dash == std::string::npos) break;
    }
    std::string doubled = "mlp:" + parts.front();
    for (size_t i = 1; i + 1 < parts.size(); ++i)
      doubled += "-" + std::to_string(2 * std::stoi(parts[i]));
    wider.model = doubled + "-" + parts.back() + function;
    INFO("wider: " << wider.model);
    CHECK(compute_energy(run_scenario(wider)) >= base * (1 - 1e-12));
  }
}

TEST_CASE("An error echoing an input with line breaks stays one line", "[quick][sim][properties]") {
  // Found by fuzz_model_spec (docs/reliability.md): a spec with line breaks made a multi-line
  // message.
  Scenario s;
  s.model = "gpt:layers=2,\nd_model=64\r\x07";
  try {
    run_scenario(s);
    FAIL("a malformed spec was accepted");
  } catch (const InputError& e) {
    const std::string what = e.what();
    CHECK(what.find('\n') == std::string::npos);
    CHECK(what.find('\r') == std::string::npos);
    CHECK(what.find("layers=2,\\nd_model=64\\r\\x07") != std::string::npos);
  }
}

TEST_CASE("An error echoing binary input escapes what is not UTF-8 and shortens long words",
          "[quick][sim][properties]") {
  // A binary file given as a sweep file was echoed as 800 raw bytes (issue 24).
  CHECK(InputError("bad 'caf\xC3\xA9' and '\xff\xfe\xC3'").what() ==
        std::string("bad 'caf\xC3\xA9' and '\\xff\\xfe\\xc3'"));
  std::string garbage;
  for (int i = 0; i < 800; ++i) garbage += static_cast<char>('a' + i % 26);
  const std::string what = InputError("batch = " + garbage + " is not a number").what();
  CHECK(what.size() < 260);
  CHECK(what.rfind("batch = abcdefghij", 0) == 0);
  CHECK(what.find("[... 660 characters ...]") != std::string::npos);
  CHECK(what.substr(what.size() - 16) == " is not a number");
  // Already one line: unchanged by a second pass (the CLI applies one_line to every message).
  CHECK(InputError::one_line(what) == what);
}
