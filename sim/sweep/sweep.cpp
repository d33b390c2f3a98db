#include "sim/sweep/sweep.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "algorithms/functional/trainer.h"
#include "algorithms/learning_rule.h"
#include "algorithms/optimizer.h"
#include "hw_models/device.h"
#include "results/core/build_info.h"
#include "results/core/error.h"
#include "sim/metrics/result_tables.h"
#include "sim/scenario/run_scenario.h"
#include "sim/scenario/training_cache.h"
#include "sim/sweep/mpi_farm.h"
#include "sim/sweep/result_files.h"
#include "sim/sweep/worker_pool.h"
#include "workloads/dataset.h"
#include "workloads/model_registry.h"

namespace frugal::sim {
namespace {

using Clock = std::chrono::steady_clock;

// Flush the result file at least this often, and after this many scenarios. Each flush
// compresses again every column's partly filled chunk (4,096 rows), so frequent flushes of
// cost-only scenarios cost more than the scenarios: 2,048 made a 20,000-scenario sweep 1.25x
// faster than 256, for 25 MB more peak memory (bench/README.md). The journal, not the flush,
// keeps a finished scenario safe from a crash; it is synced to disk at each flush, so a power
// cut loses at most the last 2 s.
constexpr double kFlushEvery_s = 2.0;
constexpr size_t kFlushEveryScenarios = 2048;
// A finished scenario waits at most this long for earlier ones before it is written out of order
// (the file is then sorted when the sweep completes).
constexpr double kMaxReorderWait_s = 10.0;

volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_stop_signal(int signal) { g_signal = signal; }

// Catches SIGINT and SIGTERM for the sweep's lifetime (without SA_RESTART, so waits wake up).
class StopSignals {
 public:
  StopSignals() {
    g_signal = 0;
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &m_old_int);
    sigaction(SIGTERM, &action, &m_old_term);
  }
  ~StopSignals() {
    sigaction(SIGINT, &m_old_int, nullptr);
    sigaction(SIGTERM, &m_old_term, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction m_old_int {
  }, m_old_term{};
};

std::string describe(const std::vector<Setting>& settings) {
  std::string text;
  for (const Setting& s : settings) text += (text.empty() ? "" : " ") + s.first + "=" + s.second;
  return text;
}

std::string format_duration(double s) {
  char buffer[32];
  if (s < 60)
    std::snprintf(buffer, sizeof buffer, "%.0f s", s);
  else if (s < 3600)
    std::snprintf(buffer, sizeof buffer, "%d min %02d s", static_cast<int>(s) / 60,
                  static_cast<int>(s) % 60);
  else
    std::snprintf(buffer, sizeof buffer, "%d h %02d min", static_cast<int>(s) / 3600,
                  static_cast<int>(s) / 60 % 60);
  return buffer;
}

// Count, rate and ETA: a redrawn bar when stderr is a terminal, a log line every few seconds
// otherwise, nothing with --quiet. The ETA comes from the work done, not the scenarios done:
// each scenario's estimated work (scenario_work) weighs it, so that a study whose last scenarios
// are quick cost-only ones does not wait on an estimate made from its trainings.
class Progress {
 public:
  Progress(int64_t total, int64_t already, double total_work, double already_work, bool quiet)
      : m_total(total),
        m_done(already),
        m_already(already),
        m_total_work(total_work),
        m_done_work(already_work),
        m_already_work(already_work),
        m_quiet(quiet),
        m_tty(::isatty(STDERR_FILENO) != 0),
        m_start(Clock::now()),
        m_last(m_start) {}

  void count(bool ok, double work) {
    ++m_done;
    m_done_work += work;
    m_failed += !ok;
  }
  // The scenarios running and the work done of them so far (their fractions times their work).
  void in_flight(int running, double partial_work) {
    m_running = running;
    m_partial_work = partial_work;
  }
  void tick(bool force = false) {
    if (m_quiet) return;
    const auto now = Clock::now();
    const double since = std::chrono::duration<double>(now - m_last).count();
    if (!force && since < (m_tty ? 0.1 : 5.0)) return;
    m_last = now;
    const double elapsed = std::chrono::duration<double>(now - m_start).count();
    const double rate = elapsed > 0 ? static_cast<double>(m_done - m_already) / elapsed : 0.0;
    const double done_work = m_done_work + m_partial_work;
    const double work_rate = elapsed > 0 ? (done_work - m_already_work) / elapsed : 0.0;
    const double eta = work_rate > 0 ? std::max(0.0, m_total_work - done_work) / work_rate : 0.0;
    char speed[32];
    if (rate >= 1 || rate == 0)
      std::snprintf(speed, sizeof speed, "%.1f/s", rate);
    else
      std::snprintf(speed, sizeof speed, "%.2g/min", 60 * rate);  // not 0.0/s for a long study
    char numbers[240];
    const std::string running =
        m_running > 0 ? ", " + std::to_string(m_running) + " running" : std::string();
    std::snprintf(
        numbers, sizeof numbers, "%lld/%lld scenarios%s%s, %s, %.0f%% of the work, ETA %s",
        static_cast<long long>(m_done), static_cast<long long>(m_total),
        m_failed ? (" (" + std::to_string(m_failed) + " failed)").c_str() : "", running.c_str(),
        speed, m_total_work > 0 ? 100 * std::min(1.0, done_work / m_total_work) : 100.0,
        work_rate > 0 ? format_duration(eta).c_str() : "?");
    if (m_tty) {
      constexpr int kWidth = 30;
      // The bar fills with the work done, scenarios running included.
      const int filled = m_total_work > 0
                             ? static_cast<int>(kWidth * std::min(1.0, done_work / m_total_work))
                             : kWidth;
      std::cerr << "\r[" << std::string(static_cast<size_t>(filled), '#')
                << std::string(static_cast<size_t>(kWidth - filled), '.') << "] " << numbers
                << "\033[K" << std::flush;
      m_drawn = true;
    } else {
      std::cerr << "frugal sweep: " << numbers << "\n";
    }
  }
  // Prints a line of its own (a failed scenario), keeping the bar below it.
  void message(const std::string& line) {
    if (m_quiet) return;
    if (m_drawn) std::cerr << "\r\033[K";
    std::cerr << line << "\n";
    m_drawn = false;
  }
  void finish() {
    if (m_quiet) return;
    tick(true);
    if (m_tty && m_drawn) std::cerr << "\n";
    m_drawn = false;
  }
  int64_t failed() const { return m_failed; }

 private:
  int64_t m_total, m_done, m_already, m_failed = 0;
  double m_total_work, m_done_work, m_already_work, m_partial_work = 0;
  int m_running = 0;
  bool m_quiet, m_tty, m_drawn = false;
  Clock::time_point m_start, m_last;
};

// Test hooks (docs/sweeps.md), read once before the workers fork:
//   FRUGAL_FAULT_INJECT="crash:ID,hang:ID,throw:ID"  scenario ID crashes (SIGSEGV), hangs, throws
//   FRUGAL_TEST_DELAY_S=0.05                         every scenario takes this much longer
//   FRUGAL_TEST_LOG=FILE                             each computed scenario id is appended to FILE
//   FRUGAL_TEST_FLUSH_EVERY=1                        flush after this many scenarios
//   FRUGAL_TEST_PAUSE_AFTER=N:FILE                   once N scenarios are journaled and written,
//                                                    create FILE and pause until it is deleted
//                                                    (or a signal): tests interrupt a sweep in a
//                                                    known state instead of after a guessed time
struct TestHooks {
  std::map<int64_t, std::string> faults;
  double delay_s = 0.0;
  std::string log;
};

double env_number(const char* name, double fallback) {
  const char* text = std::getenv(name);
  return text ? std::atof(text) : fallback;
}

std::map<int64_t, std::string> fault_injection() {
  std::map<int64_t, std::string> faults;
  const char* text = std::getenv("FRUGAL_FAULT_INJECT");
  if (!text) return faults;
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto colon = item.find(':');
    if (colon == std::string::npos) continue;
    faults[std::stoll(item.substr(colon + 1))] = item.substr(0, colon);
  }
  return faults;
}

// FRUGAL_TEST_PAUSE_AFTER: the count, and the file that says the sweep is paused.
struct PauseHook {
  size_t after = 0;
  std::string file;
  bool done = false;
};

PauseHook pause_hook() {
  PauseHook hook;
  const char* text = std::getenv("FRUGAL_TEST_PAUSE_AFTER");
  if (!text) return hook;
  const std::string value = text;
  const auto colon = value.find(':');
  if (colon == std::string::npos) return hook;
  hook.after = static_cast<size_t>(std::atoll(value.substr(0, colon).c_str()));
  hook.file = value.substr(colon + 1);
  return hook;
}

void pause_here(PauseHook& hook) {
  hook.done = true;
  if (FILE* f = std::fopen(hook.file.c_str(), "w")) std::fclose(f);
  while (g_signal == 0 && ::access(hook.file.c_str(), F_OK) == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void inject(const std::string& fault) {
  if (fault == "crash") std::raise(SIGSEGV);
  if (fault == "hang")
    for (;;) ::pause();
  if (fault == "throw") throw std::runtime_error("injected failure (FRUGAL_FAULT_INJECT)");
}

// Resolves every name of every point before any runs, so a typo fails the sweep at once with
// exit 2 instead of failing N scenarios (a point's replicates differ only in their seed). Returns
// each point's preset.
std::vector<const hw::Preset*> check_scenarios(const Expansion& expansion,
                                               std::map<std::string, hw::Preset>& presets) {
  std::set<std::string> steps;
  std::vector<const hw::Preset*> preset_of;
  preset_of.reserve(expansion.points.size());
  for (size_t point = 0; point < expansion.points.size(); ++point) {
    const SweepPoint& s = expansion.points[point];
    const Scenario& sc = s.scenario;
    try {
      std::string key = sc.hw;
      for (const auto& [name, value] : sc.hw_params) key += "\n" + name + "=" + value;
      auto it = presets.find(key);
      if (it == presets.end()) it = presets.emplace(key, resolve_preset(sc)).first;
      preset_of.push_back(&it->second);
      // What run checks before costing (names, the device's options, the model at the point's
      // batch, the step readied for the device and the device's checks of it), once per
      // distinct step: points that differ only in their seed share it.
      Scenario unseeded = sc;
      unseeded.seed = 0;
      if (steps.insert(to_ini(unseeded)).second) check_step(sc);
      if (sc.train) {
        workloads::check_dataset(sc.dataset, sc.data_dir);
        if (!algorithms::trains_functionally(algorithms::rule_info(sc.rule).trained_by))
          throw InputError("rule " + sc.rule + " has no functional face: it cannot train");
      }
    } catch (const InputError& e) {
      const std::string where = describe(s.settings);
      throw InputError("scenario " + std::to_string(static_cast<int64_t>(point) * expansion.seeds) +
                       (where.empty() ? "" : " (" + where + ")") + ": " + e.what());
    }
  }
  return preset_of;
}

// What a scenario asks of the machine, in multiply-accumulates, for the sweep's ETA (only ratios
// matter): about 1e9 for a step costed without training (tens of milliseconds); with --train,
// each epoch's samples through the network forward and back (3 MACs per MAC of the model) plus
// the test set forward, times the timesteps on a spiking chip (for a network deployed to it,
// the test only). Fashion-MNIST's 60,000 and 10,000 images unless subsets are given.
}  // namespace

std::vector<double> scenario_work(const Expansion& expansion,
                                  const std::vector<const hw::Preset*>& preset_of) {
  constexpr double kCostOnly = 1e9;
  std::map<std::string, double> macs_per_sample;  // by model and input shape
  std::vector<double> work;
  for (size_t point = 0; point < expansion.points.size(); ++point) {
    const Scenario& sc = expansion.points[point].scenario;
    double w = kCostOnly;
    if (sc.train) {
      const std::string key = sc.model + "\n" + sc.input_shape;
      auto it = macs_per_sample.find(key);
      if (it == macs_per_sample.end()) {
        Scenario one = sc;
        one.batch = 1;
        const double macs =
            static_cast<double>(workloads::build_model(one.model, build_options(one)).macs());
        it = macs_per_sample.emplace(key, macs).first;
      }
      const double train = static_cast<double>(sc.train_subset > 0 ? sc.train_subset : 60000);
      const double test = static_cast<double>(sc.test_subset > 0 ? sc.test_subset : 10000);
      // A spiking chip runs each sample for its timesteps: its own training, and the test of a
      // network trained off the chip (rule inference) and deployed to it; that training is
      // digital, one pass a sample.
      const double steps =
          preset_of[point]->device() == "neuro" ? static_cast<double>(sc.timesteps) : 1.0;
      const bool deployed = sc.rule == "inference";
      w += it->second *
           ((deployed ? 1.0 : steps) * 3 * train * static_cast<double>(sc.epochs) + steps * test);
    }
    work.push_back(w);
  }
  return work;
}

namespace {

// The folder a sweep's workers share their trainings through (training_cache.h): made under
// $TMPDIR (or /tmp) for the sweep, removed with what it holds when the sweep ends. None (each
// training computed where it is needed) if it cannot be made, or with
// FRUGAL_NO_SHARED_TRAINING=1 (tests compare the two).
class SharedTrainings {
 public:
  SharedTrainings() {
    const char* off = std::getenv("FRUGAL_NO_SHARED_TRAINING");
    if (off && std::string(off) == "1") return;
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/frugal-trainings-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) return;
    m_folder = pattern;
    set_training_cache(m_folder);
  }
  ~SharedTrainings() {
    if (m_folder.empty()) return;
    set_training_cache("");
    if (DIR* dir = ::opendir(m_folder.c_str())) {
      while (const dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (name != "." && name != "..") std::remove((m_folder + "/" + name).c_str());
      }
      ::closedir(dir);
    }
    ::rmdir(m_folder.c_str());
  }
  SharedTrainings(const SharedTrainings&) = delete;
  SharedTrainings& operator=(const SharedTrainings&) = delete;

 private:
  std::string m_folder;
};

// Workers: at most one per scenario, and few enough that their pipes fit the open-file limit.
int max_jobs(size_t scenarios) {
  rlimit limit{};
  int64_t by_files = 1024;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    by_files = std::max<int64_t>(1, (static_cast<int64_t>(limit.rlim_cur) - 32) / 4);
  return static_cast<int>(std::max<int64_t>(
      1, std::min<int64_t>(static_cast<int64_t>(scenarios), std::min<int64_t>(by_files, 1024))));
}

void print_dry_run(const Expansion& expansion, const std::vector<int64_t>& mine,
                   const SweepOptions& options) {
  std::cout << "# " << mine.size() << " scenario" << (mine.size() == 1 ? "" : "s");
  if (options.shard_count > 1)
    std::cout << " (shard " << options.shard_index << "/" << options.shard_count << " of "
              << expansion.size() << ")";
  std::cout << "\n# id\tpoint\treplicate\tseed\tsettings\n";
  for (int64_t id : mine) {
    std::cout << id << "\t" << id / expansion.seeds << "\t" << id % expansion.seeds << "\t"
              << expansion.seed(id) << "\t" << describe(expansion.point_of(id).settings) << "\n";
  }
  std::cout << mine.size() << " scenario" << (mine.size() == 1 ? "" : "s") << "\n";
}

}  // namespace

void parse_shard(const std::string& text, int64_t& index, int64_t& count) {
  const auto slash = text.find('/');
  try {
    if (text.find_first_not_of("0123456789/") != std::string::npos)
      throw std::invalid_argument("not digits");
    size_t used_i = 0, used_n = 0;
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    index = std::stoll(text.substr(0, slash), &used_i);
    count = std::stoll(text.substr(slash + 1), &used_n);
    if (used_i != slash || used_n != text.size() - slash - 1) throw std::invalid_argument("junk");
  } catch (const std::exception&) {
    throw InputError("--shard '" + text + "': expected I/N, e.g. --shard 0/4");
  }
  if (count < 1 || index < 0 || index >= count)
    throw InputError("--shard '" + text + "': expected 0 <= I < N");
}

namespace {

// A sweep's scenarios, checked, and this shard's share of them.
struct Plan {
  Expansion expansion;
  std::vector<ExtraColumn> extra;             // columns of the swept keys
  std::map<std::string, hw::Preset> presets;  // each distinct preset, as resolved
  std::vector<const hw::Preset*> preset_of;   // per point
  std::vector<double> work_of;                // per point: scenario_work
  std::vector<int64_t> mine;                  // ids this shard runs
  double work(int64_t id) const { return work_of[static_cast<size_t>(id / expansion.seeds)]; }
};

// One computation of a scenario, wherever it runs (forked worker, MPI rank): its tables encoded.
WorkerPool::Compute scenario_computation(const Plan& plan) {
  TestHooks hooks;
  hooks.faults = fault_injection();
  hooks.delay_s = env_number("FRUGAL_TEST_DELAY_S", 0.0);
  if (const char* log = std::getenv("FRUGAL_TEST_LOG")) hooks.log = log;
  return [&plan, hooks](int64_t id) {
    if (!hooks.log.empty()) {
      if (FILE* f = std::fopen(hooks.log.c_str(), "a")) {
        std::fprintf(f, "%lld\n", static_cast<long long>(id));
        std::fclose(f);
      }
    }
    if (hooks.delay_s > 0)
      std::this_thread::sleep_for(std::chrono::duration<double>(hooks.delay_s));
    const auto fault = hooks.faults.find(id);
    if (fault != hooks.faults.end()) inject(fault->second);
    const SweepScenario s = plan.expansion.scenario(id);
    ResultTables tables = make_result_tables(plan.extra);
    append_outcome(tables, ScenarioKey{s.id, s.point, s.replicate, s.settings},
                   run_scenario(s.scenario, false, {}, report_progress), plan.extra);
    return encode_tables(tables);
  };
}

Provenance sweep_provenance(const SweepOptions& options, const Plan& plan) {
  // The presets as used, in order of first use.
  std::string preset_texts;
  std::set<const hw::Preset*> seen;
  for (const hw::Preset* p : plan.preset_of)
    if (seen.insert(p).second) preset_texts += p->to_text() + "\n";
  Provenance prov;
  prov.command_line = options.command_line;
  prov.sweep_spec = options.spec.canonical();
  prov.config_files = options.config_files;
  prov.hw_presets = preset_texts;
  prov.scenario_count = plan.expansion.size();
  prov.shard_index = options.shard_index;
  prov.shard_count = options.shard_count;
  return prov;
}

// Runs `todo` on the executor until done or stopped by a signal, each result journaled, then
// written in id order (a scenario held up too long by a slow earlier one goes out of order),
// flushed every few. Returns the exit code, after finishing the file or keeping it partial.
int run_scenarios(const SweepOptions& options, const Plan& plan, const std::vector<int64_t>& todo,
                  Executor& executor, SweepWriter& writer, Progress& progress,
                  int64_t failed_before) {
  const ResultTables schema = make_result_tables(plan.extra);
  const auto flush_every =
      static_cast<size_t>(env_number("FRUGAL_TEST_FLUSH_EVERY", kFlushEveryScenarios));
  std::map<int64_t, std::pair<ResultTables, Clock::time_point>> ready;
  std::set<int64_t> written;
  size_t next = 0, write_next = 0;
  auto last_flush = Clock::now();
  int shown_failures = 0;
  PauseHook pause = pause_hook();
  size_t recorded = 0;
  while (g_signal == 0 && (next < todo.size() || executor.busy() > 0)) {
    while (g_signal == 0 && next < todo.size() && executor.has_idle())
      executor.submit(todo[next++]);
    for (TaskResult& r : executor.wait(0.25)) {
      const SweepScenario s = plan.expansion.scenario(r.task);
      ResultTables tables = schema;
      if (r.status == TaskResult::Status::ok) {
        try {
          tables = decode_tables(r.payload, schema);
        } catch (const std::exception& e) {
          r.status = TaskResult::Status::crashed;
          r.error = std::string("malformed result from the worker: ") + e.what();
        }
      }
      if (r.status != TaskResult::Status::ok) {
        tables = schema;
        append_failure(tables, ScenarioKey{s.id, s.point, s.replicate, s.settings}, s.scenario,
                       plan.preset_of[static_cast<size_t>(s.point)], to_string(r.status), r.error,
                       plan.extra);
        r.payload = encode_tables(tables);
        if (shown_failures++ < 10)
          progress.message("frugal sweep: scenario " + std::to_string(s.id) +
                           (s.settings.empty() ? "" : " (" + describe(s.settings) + ")") + " " +
                           to_string(r.status) + ": " + r.error);
      }
      writer.record(r.task, r.payload);  // safe from now on, whatever happens next
      ++recorded;
      progress.count(r.status == TaskResult::Status::ok, plan.work(r.task));
      ready.emplace(r.task, std::make_pair(std::move(tables), Clock::now()));
    }
    for (; write_next < todo.size(); ++write_next) {
      const int64_t id = todo[write_next];
      if (written.count(id)) continue;
      const auto it = ready.find(id);
      if (it == ready.end()) break;
      writer.add(it->second.first);
      written.insert(id);
      ready.erase(it);
    }
    const auto now = Clock::now();
    if (!ready.empty() &&
        std::chrono::duration<double>(now - ready.begin()->second.second).count() >
            kMaxReorderWait_s) {
      for (auto& [id, entry] : ready) {
        writer.add(entry.first);
        written.insert(id);
      }
      ready.clear();
    }
    if (writer.buffered() >= flush_every ||
        (writer.buffered() > 0 &&
         std::chrono::duration<double>(now - last_flush).count() >= kFlushEvery_s)) {
      writer.flush();
      last_flush = now;
    }
    double partial = 0;
    const auto running = executor.in_flight();
    for (const auto& [task, fraction] : running)
      partial += std::clamp(fraction, 0.0, 1.0) * plan.work(task);
    progress.in_flight(executor.busy(), partial);
    progress.tick();
    if (pause.after > 0 && !pause.done && recorded >= pause.after && ready.empty()) {
      writer.flush();
      pause_here(pause);
    }
  }
  const int64_t failed = failed_before + progress.failed();
  const size_t total = plan.mine.size();
  if (g_signal != 0) {
    const int signal = g_signal;
    executor.stop();
    for (auto& [id, entry] : ready) writer.add(entry.first);
    writer.keep_partial();
    progress.finish();
    std::cerr << "frugal sweep: stopped by " << (signal == SIGINT ? "SIGINT" : "SIGTERM") << "; "
              << writer.rows_written() << " of " << total << " scenarios are in "
              << writer.partial_path() << " (run the same command with --resume to finish)\n";
    return kExitInterrupted + signal;
  }
  executor.stop();
  writer.finish(options.force || options.retry_failed);  // a retry replaces its file
  progress.finish();
  std::cout << "frugal sweep: " << total << " scenario" << (total == 1 ? "" : "s") << ", "
            << static_cast<int64_t>(total) - failed << " ok";
  if (failed) std::cout << ", " << failed << " failed (see status and error in /scenarios)";
  std::cout << "; results in " << options.out << "\n";
  return failed ? kExitScenarioFailed : 0;
}

}  // namespace

int run_sweep(const SweepOptions& options) {
  Plan plan;
  plan.expansion = expand_points(options.spec);
  plan.extra = extra_columns(options.spec.column_keys());
  plan.preset_of = check_scenarios(plan.expansion, plan.presets);
  plan.work_of = scenario_work(plan.expansion, plan.preset_of);
  for (int64_t id = 0; id < plan.expansion.size(); ++id)
    if (id % options.shard_count == options.shard_index) plan.mine.push_back(id);
  if (options.dry_run) {
    print_dry_run(plan.expansion, plan.mine, options);
    return 0;
  }
  if (options.out.empty())
    throw InputError("sweep needs --out FILE.h5 (or --dry-run to list the scenarios)");

  const WorkerPool::Compute compute = scenario_computation(plan);
  const SharedTrainings shared;  // before any worker is forked: they inherit the folder
  // A worker whose SystemC clock has run half its range retires before a step could overflow
  // it, so that no scenario's fate depends on which worker ran it before.
  auto retire = [] { return hw::simulation_clock_half_spent(); };
  const MpiRole role = mpi_role();
  if (role == MpiRole::worker) {
    // An MPI rank other than 0: run what rank 0 hands out, in a forked worker for isolation.
    WorkerPool pool(1, options.timeout_s, compute, retire);
    mpi_serve(pool);
    return 0;
  }
  // The executor exists before anything below can throw: under MPI its destructor releases the
  // other ranks. Local workers are forked on first use.
  std::unique_ptr<Executor> executor;
  if (role == MpiRole::coordinator) {
    executor = make_mpi_executor();
  } else {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (options.jobs > cores && !options.quiet)
      std::cerr << "frugal sweep: --jobs " << options.jobs << " capped at " << cores
                << " (the cores of this machine: a scenario keeps one busy)\n";
    executor = std::make_unique<WorkerPool>(
        std::min(options.jobs > 0 ? std::min(options.jobs, cores) : cores,
                 max_jobs(plan.mine.size())),
        options.timeout_s, compute, retire);
  }

  const Provenance prov = sweep_provenance(options, plan);
  const ResultTables schema = make_result_tables(plan.extra);
  std::set<int64_t> done;
  int64_t failed_before = 0;
  // What --resume must match: the build, the specification and the shard.
  const std::string identity = sweep_identity(version(), git_sha(), prov.sweep_spec,
                                              options.shard_index, options.shard_count);
  std::unique_ptr<SweepWriter> writer;
  if (options.resume || options.retry_failed)
    writer = std::make_unique<SweepWriter>(
        options.out, options.force, provenance(prov), schema, identity, done, failed_before,
        options.retry_failed ? Continue::retry_failed : Continue::resume);
  else
    writer = std::make_unique<SweepWriter>(options.out, options.force, provenance(prov), schema,
                                           identity);
  std::vector<int64_t> todo;
  for (int64_t id : plan.mine)
    if (!done.count(id)) todo.push_back(id);

  double total_work = 0, done_work = 0;
  for (int64_t id : plan.mine) {
    total_work += plan.work(id);
    if (done.count(id)) done_work += plan.work(id);
  }
  Progress progress(static_cast<int64_t>(plan.mine.size()),
                    static_cast<int64_t>(plan.mine.size() - todo.size()), total_work, done_work,
                    options.quiet);
  StopSignals signals;
  try {
    return run_scenarios(options, plan, todo, *executor, *writer, progress, failed_before);
  } catch (const std::exception& e) {
    // Whatever went wrong (a full disk, no more processes), what finished is in the journal.
    executor->stop();
    try {
      writer->keep_partial();
    } catch (const std::exception&) {
    }
    if (!writer->journal_intact())
      throw IoError(std::string(e.what()) + " (so was its journal: this sweep's results are " +
                    "lost; run it again)");
    throw IoError(std::string(e.what()) + " (the scenarios that finished are kept in " +
                  options.out + ".journal: fix the cause and rerun with --resume)");
  }
}

}  // namespace frugal::sim
