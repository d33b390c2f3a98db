#include "sim/app/cpu_probe.h"

#include <dirent.h>

// GCC 12 sees uninitialized lanes in Eigen's AVX-512 product kernels that it instantiates here
// (a false positive: Eigen's own code, as the trainer runs it).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "algorithms/functional/trainer.h"
#include "hw_models/cpu/cpu_fit.h"
#include "results/core/error.h"
#include "results/core/text_file.h"
#include "results/files/json.h"
#include "sim/app/calibration_script.h"

namespace frugal::sim {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// A value of /proc/cpuinfo's first processor ("model name", "flags", "cpu MHz").
std::string cpuinfo(const std::string& field) {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.compare(0, field.size(), field) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  return "";
}

// A cache size from sysfs ("48K", "1024K", "32768K") in bytes; 0 if absent.
double cache_bytes(int level, const char* type) {
  for (int index = 0; index < 8; ++index) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    if (read_line(dir + "/level") != std::to_string(level)) continue;
    const std::string t = read_line(dir + "/type");
    if (t != type && t != "Unified") continue;
    const std::string size = read_line(dir + "/size");
    if (size.empty()) return 0;
    double value = std::atof(size.c_str());
    if (size.back() == 'K') value *= 1024;
    if (size.back() == 'M') value *= 1024 * 1024;
    return value;
  }
  return 0;
}

// RAPL through powercap: each package's energy counter, and its DRAM domain where there is one.
struct Rapl {
  struct Counter {
    std::string path;
    double range_uj = 0;
  };
  std::vector<Counter> package, dram;

  Rapl() {
    DIR* dir = ::opendir("/sys/class/powercap");
    if (!dir) return;
    std::vector<std::string> zones;
    while (const dirent* e = ::readdir(dir)) zones.emplace_back(e->d_name);
    ::closedir(dir);
    for (const std::string& zone : zones) {
      if (zone.rfind("intel-rapl:", 0) != 0) continue;
      const std::string base = "/sys/class/powercap/" + zone;
      const std::string name = read_line(base + "/name");
      Counter c{base + "/energy_uj", std::atof(read_line(base + "/max_energy_range_uj").c_str())};
      if (read_line(c.path).empty()) continue;  // not readable (not root)
      if (name.rfind("package", 0) == 0) package.push_back(c);
      if (name == "dram") dram.push_back(c);
    }
  }
  bool available() const { return !package.empty(); }
  static std::vector<double> read(const std::vector<Counter>& counters) {
    std::vector<double> values;
    for (const Counter& c : counters) values.push_back(std::atof(read_line(c.path).c_str()));
    return values;
  }
  // Joules between two readings, across a counter's wrap.
  static double joules(const std::vector<Counter>& counters, const std::vector<double>& before,
                       const std::vector<double>& after) {
    double uj = 0;
    for (size_t i = 0; i < counters.size(); ++i) {
      double d = after[i] - before[i];
      if (d < 0) d += counters[i].range_uj;
      uj += d;
    }
    return uj * 1e-6;
  }
};

struct Timing {
  int64_t iters = 0;
  double s_per_iter = 0;
  double package_j = std::numeric_limits<double>::quiet_NaN();  // per iteration
  double dram_j = std::numeric_limits<double>::quiet_NaN();
};

// Runs `call` once, then on `threads` threads at once until `seconds` have passed; an iteration
// is one call on every thread.
Timing time_phase(const std::function<void(int thread)>& call, int threads, double seconds,
                  const Rapl& rapl) {
  std::vector<std::thread> warm;
  for (int t = 0; t < threads; ++t) warm.emplace_back(call, t);
  for (std::thread& t : warm) t.join();
  const auto package_before = Rapl::read(rapl.package), dram_before = Rapl::read(rapl.dram);
  std::atomic<bool> stop{false};
  std::vector<int64_t> counts(static_cast<size_t>(threads), 0);
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      do {
        call(t);
        ++counts[static_cast<size_t>(t)];
      } while (!stop.load(std::memory_order_relaxed));
    });
  while (since(start) < seconds) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  stop = true;
  for (std::thread& t : workers) t.join();
  const double elapsed = since(start);
  Timing timing;
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  timing.iters = total / threads;
  timing.s_per_iter = elapsed * threads / static_cast<double>(total);
  if (rapl.available()) {
    timing.package_j = Rapl::joules(rapl.package, package_before, Rapl::read(rapl.package)) *
                       timing.s_per_iter / elapsed;
    if (!rapl.dram.empty())
      timing.dram_j =
          Rapl::joules(rapl.dram, dram_before, Rapl::read(rapl.dram)) * timing.s_per_iter / elapsed;
  }
  return timing;
}

// Vector FMAs from registers: 12 independent accumulators of 16 floats (enough to cover the
// FMA latency on two ports), `rounds` times. Returns a value so the work is kept.
using Float16 = float __attribute__((vector_size(64)));
float fma_loop(int64_t rounds) {
  Float16 acc[12] = {};
  for (int j = 0; j < 12; ++j)
    for (int l = 0; l < 16; ++l) acc[j][l] = static_cast<float>(j + l) * 1e-3f;
  Float16 scale = {}, shift = {};
  for (int l = 0; l < 16; ++l) {
    scale[l] = 0.999999f;
    shift[l] = 1e-7f;
  }
  for (int64_t r = 0; r < rounds; ++r)
    for (int j = 0; j < 12; ++j) acc[j] = acc[j] * scale + shift;
  float sum = 0;
  for (int j = 0; j < 12; ++j)
    for (int l = 0; l < 16; ++l) sum += acc[j][l];
  return sum;
}

}  // namespace

std::string measure_cpu(double seconds, const std::function<void(const std::string&)>& progress,
                        double max_dram_bytes) {
  const Rapl rapl;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const double l2 = std::max(cache_bytes(2, "Unified"), 256.0 * 1024);
  const double llc = std::max(cache_bytes(3, "Unified"), l2);
  double dram_bytes = std::max(8 * llc, 256.0 * (1 << 20));  // the DRAM phases' working set
  if (max_dram_bytes > 0) dram_bytes = std::min(dram_bytes, max_dram_bytes);
  results::JsonWriter json;
  json.begin_object();
  json.key("device").value(cpuinfo("model name").empty() ? std::string("an unnamed CPU")
                                                         : cpuinfo("model name"));
  {
    char date[16];
    const std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
    json.key("date").value(date);
  }
  json.key("method").value(
      "frugal calibrate cpu --measure: each phase runs once to warm up, then repeatedly for "
      "the given seconds; s_per_iter is wall time per iteration (an iteration of an _all phase "
      "is one call on every core at once). package_j_per_iter and dram_j_per_iter are RAPL "
      "energy over the same interval divided by iterations, where RAPL is readable.");
  json.key("machine").begin_object();
  json.key("cores").value(cores);
  json.key("l1d_bytes").value(cache_bytes(1, "Data"));
  json.key("l2_bytes").value(l2);
  json.key("llc_bytes").value(llc);
  json.key("dram_working_set_bytes").value(dram_bytes);
  json.key("cpuinfo_mhz").value(std::atof(cpuinfo("cpu MHz").c_str()));
  json.key("flags").value(cpuinfo("flags"));
  json.key("rapl").value(rapl.available()
                             ? std::string(rapl.dram.empty() ? "package" : "package and dram")
                             : std::string("none"));
  json.end_object();
  json.key("phases").begin_object();
  auto record = [&](const std::string& name, const Timing& t,
                    const std::vector<std::pair<std::string, double>>& extra) {
    json.key(name).begin_object();
    json.key("iters").value(t.iters);
    json.key("s_per_iter").value(t.s_per_iter);
    for (const auto& [key, value] : extra) json.key(key).value(value);
    if (!std::isnan(t.package_j)) json.key("package_j_per_iter").value(t.package_j);
    if (!std::isnan(t.dram_j)) json.key("dram_j_per_iter").value(t.dram_j);
    json.end_object();
  };
  const double s = seconds;

  progress("fma_peak");
  const int64_t rounds = 1'000'000;
  volatile float sink = 0;
  record("fma_peak", time_phase([&](int) { sink = sink + fma_loop(rounds); }, 1, s, rapl),
         {{"macs", static_cast<double>(rounds) * 12 * 16}});

  for (const int n : {64, 128, 256, 512, 1024}) {
    const std::string name = "gemm_fp32_" + std::to_string(n);
    progress(name);
    const Eigen::MatrixXf a = Eigen::MatrixXf::Random(n, n), b = Eigen::MatrixXf::Random(n, n);
    Eigen::MatrixXf c(n, n);
    record(name, time_phase([&](int) { c.noalias() = a * b; }, 1, s, rapl),
           {{"macs", std::pow(static_cast<double>(n), 3)}});
  }
  {
    const int n = 1024;
    progress("gemm_fp32_1024_all");
    std::vector<Eigen::MatrixXf> a, b, c;
    for (int t = 0; t < cores; ++t) {
      a.push_back(Eigen::MatrixXf::Random(n, n));
      b.push_back(Eigen::MatrixXf::Random(n, n));
      c.emplace_back(n, n);
    }
    record("gemm_fp32_1024_all",
           time_phase([&](int t) { c[t].noalias() = a[t] * b[t]; }, cores, s, rapl),
           {{"macs", std::pow(static_cast<double>(n), 3)}});
  }
  // c = a + b over three arrays of `bytes` in all, each thread its own.
  auto stream = [&](const std::string& name, double bytes, int threads) {
    progress(name);
    const auto n = static_cast<Eigen::Index>(bytes / 12);
    std::vector<Eigen::VectorXf> a, b, c;
    for (int t = 0; t < threads; ++t) {
      a.push_back(Eigen::VectorXf::Random(n));
      b.push_back(Eigen::VectorXf::Random(n));
      c.push_back(Eigen::VectorXf::Zero(n));
    }
    record(name, time_phase([&](int t) { c[t].noalias() = a[t] + b[t]; }, threads, s, rapl),
           {{"bytes", 12.0 * static_cast<double>(n)}});
  };
  stream("stream_l2", l2 / 2, 1);
  stream("stream_llc", std::max(llc / 2, 2 * l2), 1);
  stream("stream_dram", dram_bytes, 1);
  stream("stream_llc_all", std::max(llc / 2 / cores, 2 * l2), cores);
  stream("stream_dram_all", std::max(dram_bytes / cores, 64.0 * (1 << 20)), cores);

  // Load-to-use latency: a chain of dependent loads through a random cycle of cache lines over a
  // buffer within the last-level cache (beyond L2), or beyond it; an iteration is one load.
  auto chase = [&](const std::string& name, double bytes) {
    progress(name);
    const size_t lines = static_cast<size_t>(bytes / 64);
    std::vector<size_t> order(lines);
    for (size_t i = 0; i < lines; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937_64(11));
    std::vector<size_t> next(lines * 8);  // one line (8 words) per entry, the link in its first
    for (size_t i = 0; i < lines; ++i) next[order[i] * 8] = order[(i + 1) % lines] * 8;
    const int64_t loads = 1 << 20;
    size_t at = 0;
    Timing t = time_phase(
        [&](int) {
          for (int64_t k = 0; k < loads; ++k) at = next[at];
        },
        1, s, rapl);
    sink = sink + static_cast<float>(at);
    t.s_per_iter /= static_cast<double>(loads);
    t.iters *= loads;
    record(name, t, {});
  };
  chase("latency_llc", std::max(llc / 2, 4 * l2));
  chase("latency_dram", dram_bytes);

  // frugal's trainer on tiny networks: two runs of different lengths, so that the evaluation and
  // set-up cancel; the difference per step is its time per step.
  for (const hw::cpu::TinyNet& net : hw::cpu::tiny_trainer_nets()) {
    progress(net.phase);
    workloads::DataSplit data;
    data.name = "tiny";
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0, 1);
    auto fill = [&](workloads::Dataset& set, int64_t count) {
      set.rows = 1;
      set.cols = net.features;
      set.classes = 2;
      for (int64_t i = 0; i < count * net.features; ++i) set.images.push_back(u(rng));
      for (int64_t i = 0; i < count; ++i) set.labels.push_back(static_cast<uint8_t>(i % 2));
    };
    const int64_t steps = net.batch == 1 ? 20000 : 500;
    fill(data.train, 2 * steps * net.batch);
    fill(data.test, 16);
    algorithms::TrainOptions options;
    options.batch = net.batch;
    auto run_for = [&](int64_t samples) {
      workloads::DataSplit part = data;
      part.train.images.resize(static_cast<size_t>(samples * net.features));
      part.train.labels.resize(static_cast<size_t>(samples));
      const Clock::time_point start = Clock::now();
      algorithms::train(net.forward, part, options);
      return since(start);
    };
    double best = std::numeric_limits<double>::infinity();
    const Clock::time_point start = Clock::now();
    int repeats = 0;
    do {  // the fastest of several differences: the least disturbed
      const double shorter = run_for(steps * net.batch), longer = run_for(2 * steps * net.batch);
      best = std::min(best, (longer - shorter) / static_cast<double>(steps));
      ++repeats;
    } while (since(start) < s || repeats < 2);
    Timing t;
    t.iters = repeats * steps;
    t.s_per_iter = std::max(best, 1e-9);
    record(net.phase, t, {});
  }

  std::string torch_note;
  progress("torch_step_tiny, torch_gemm_fp32_1024 (PyTorch, if installed)");
  const ScriptRun run = run_calibration_script("cpu_torch_probe.py",
                                               {std::to_string(s), std::to_string(cores)}, true);
  if (run.succeeded) {
    const results::JsonValue torch = results::parse_json(last_line(run.out), "the torch probe");
    for (const auto& [name, fields] : torch.at("phases", "torch probe").object("phases")) {
      Timing t;
      t.iters = static_cast<int64_t>(fields.at("iters", name).number(name));
      t.s_per_iter = fields.at("s_per_iter", name).number(name);
      std::vector<std::pair<std::string, double>> extra;
      for (const char* key : {"macs", "threads"})
        if (const results::JsonValue* v = fields.find(key))
          extra.emplace_back(key, v->number(name));
      record(name, t, extra);
    }
    torch_note = "PyTorch " + torch.at("torch", "torch probe").string("torch") + " with " +
                 torch.at("blas", "torch probe").string("blas");
  } else {
    torch_note =
        "not measured: " + run.python + " " +
        (run.spawn_error != 0 ? std::string("could not start") : one_line(last_line(run.errors)));
  }

  if (rapl.available()) {
    progress("idle");
    record("idle",
           time_phase([](int) { std::this_thread::sleep_for(std::chrono::milliseconds(100)); }, 1,
                      std::max(s, 1.0), rapl),
           {});
  }
  json.end_object();
  json.key("torch").value(torch_note);
  json.end_object();
  return json.str() + "\n";
}

}  // namespace frugal::sim
