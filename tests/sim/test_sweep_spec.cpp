#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "hw_models/preset.h"
#include "results/core/error.h"
#include "results/files/journal.h"
#include "results/files/table.h"
#include "sim/sweep/sweep.h"
#include "sim/sweep/sweep_spec.h"
#include "sim/sweep/worker_pool.h"

using namespace frugal;
using namespace frugal::sim;
using Values = std::vector<std::string>;

TEST_CASE("Sweep values: lists, quotes, inclusive ranges, log ranges, units", "[quick][sweep]") {
  CHECK(parse_values("bp, fa ,dfa", "rule") == Values{"bp", "fa", "dfa"});
  CHECK(parse_values("16:64:16", "batch") == Values{"16", "32", "48", "64"});
  CHECK(parse_values("1:10:4", "batch") == Values{"1", "5", "9"});  // hi not on the grid
  CHECK(parse_values("0.1:0.5:0.1", "x") == Values{"0.1", "0.2", "0.3", "0.4", "0.5"});
  CHECK(parse_values("10:1:-3", "x") == Values{"10", "7", "4", "1"});
  CHECK(parse_values("log:1:1000:4", "x") == Values{"1", "10", "100", "1000"});
  CHECK(parse_values("log:16:256:3", "x") == Values{"16", "64", "256"});
  CHECK(parse_values("10:30:10 pJ/bit", "hw.e") == Values{"10 pJ/bit", "20 pJ/bit", "30 pJ/bit"});
  CHECK(parse_values("8,16:32:16,128", "batch") == Values{"8", "16", "32", "128"});
  // Model specs with colons are values, not ranges; quotes keep commas.
  CHECK(parse_values("mlp:784-10,mlp:784-100-10:tanh", "model") ==
        Values{"mlp:784-10", "mlp:784-100-10:tanh"});
  CHECK(parse_values("\"gpt:layers=2,d_model=64\", mlp:4-2", "model") ==
        Values{"gpt:layers=2,d_model=64", "mlp:4-2"});
  CHECK(parse_values("15 pJ/bit", "hw.e") == Values{"15 pJ/bit"});
}

TEST_CASE("Malformed sweep values are rejected naming the key and the text", "[quick][sweep]") {
  auto message = [](const std::string& text) {
    try {
      parse_values(text, "batch");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message(""), Catch::Contains("'batch': empty value"));
  CHECK_THAT(message("1,,2"), Catch::Contains("empty value"));
  CHECK_THAT(message("1:10"), Catch::Contains("malformed range '1:10'"));
  CHECK_THAT(message("1:10:0"), Catch::Contains("STEP must be nonzero"));
  CHECK_THAT(message("10:1:1"), Catch::Contains("STEP must be nonzero"));
  CHECK_THAT(message("1:10:x"), Catch::Contains("expected LO:HI:STEP"));
  CHECK_THAT(message("log:0:10:3"), Catch::Contains("LO > 0"));
  CHECK_THAT(message("log:1:10:1"), Catch::Contains("N must be an integer"));
  CHECK_THAT(message("log:1:10"), Catch::Contains("expected log:LO:HI:N"));
  CHECK_THAT(message("0:1e9:1"), Catch::Contains("more than"));
  CHECK_THAT(message("\"open"), Catch::Contains("unterminated quote"));
  CHECK_THAT(message("\"a\"b"), Catch::Contains("after a closing quote"));
}

namespace {
SweepSpec spec_with(std::initializer_list<std::pair<const char*, const char*>> axes) {
  SweepSpec spec;
  spec.base = to_settings(Scenario{});
  for (const auto& [key, values] : axes) spec.add_axis(key, values, "--set");
  return spec;
}
}  // namespace

TEST_CASE("Expansion: product order, zip, replicates with derived seeds", "[quick][sweep]") {
  SweepSpec spec = spec_with({{"rule", "bp,inference"}, {"batch", "1,2,3"}});
  std::vector<SweepScenario> s = expand(spec);
  REQUIRE(s.size() == 6);
  CHECK(s[1].scenario.rule == "bp");  // the last axis varies fastest
  CHECK(s[1].scenario.batch == 2);
  CHECK(s[3].scenario.rule == "inference");
  CHECK(s[3].scenario.batch == 1);
  for (size_t i = 0; i < s.size(); ++i) CHECK(s[i].id == static_cast<int64_t>(i));

  spec = spec_with({{"rule", "bp,inference"}, {"batch", "1,2"}});
  spec.add_zip("batch,rule", "--zip");
  s = expand(spec);
  REQUIRE(s.size() == 2);
  CHECK((s[0].scenario.rule == "bp" && s[0].scenario.batch == 1));
  CHECK((s[1].scenario.rule == "inference" && s[1].scenario.batch == 2));

  spec = spec_with({{"batch", "1,2"}, {"seed", "5"}});
  spec.seeds = 3;
  spec.normalize();
  s = expand(spec);
  REQUIRE(s.size() == 6);
  CHECK(s[2].point == 0);
  CHECK(s[2].replicate == 2);
  CHECK(s[0].scenario.seed == derive_seed(5, 0));
  CHECK(s[3].scenario.seed == derive_seed(5, 0));  // replicate r shares its seed across points
  CHECK(derive_seed(5, 0) != derive_seed(5, 1));
  CHECK(derive_seed(5, 1) == derive_seed(5, 1));
  CHECK(derive_seed(5, 1) >= 0);
}

TEST_CASE("Expansion errors: zip lengths, unknown keys, values that do not parse",
          "[quick][sweep]") {
  SweepSpec spec = spec_with({{"rule", "bp,inference"}, {"batch", "1,2,3"}});
  spec.add_zip("rule,batch", "--zip");
  CHECK_THROWS_WITH(expand(spec), Catch::Contains("same number of values"));
  CHECK_THROWS_WITH(spec_with({{"bach", "1"}}), Catch::Contains("did you mean 'batch'"));
  CHECK_THROWS_WITH(spec_with({{"batch", "1"}, {"batch", "2"}}), Catch::Contains("given twice"));
  CHECK_THROWS_WITH(expand(spec_with({{"batch", "4,0"}})), Catch::Contains("scenario 1 (batch=0)"));
  CHECK_THROWS_WITH(expand(spec_with({{"batch", "a,b"}})), Catch::Contains("batch"));
  SweepSpec unzipped = spec_with({{"batch", "1,2"}});
  unzipped.add_zip("batch,rule", "--zip");
  CHECK_THROWS_WITH(expand(unzipped), Catch::Contains("'rule' is not a swept key"));
}

TEST_CASE("The canonical specification does not depend on how the sweep was written",
          "[quick][sweep]") {
  SweepSpec a = spec_with({{"rule", "bp,inference"}, {"batch", "16:48:16"}, {"model", "mlp:4-2"}});
  SweepSpec b = spec_with({{"model", "mlp:4-2"}, {"batch", "16,32,48"}, {"rule", "bp, inference"}});
  a.normalize();
  b.normalize();
  CHECK(a.canonical() == b.canonical());
  SweepSpec c = spec_with({{"rule", "bp,inference"}, {"batch", "16:64:16"}});
  c.normalize();
  CHECK(c.canonical() != a.canonical());
}

TEST_CASE("Tables survive encoding, and truncated encodings are refused", "[quick][sweep]") {
  results::Table t("t", "a table");
  t.add_column({"id", results::ColumnType::int64, "1", "id"});
  t.add_column({"e", results::ColumnType::float64, "J", "energy"});
  t.add_column({"s", results::ColumnType::string, "", "label"});
  t.append_row({{"id", int64_t{3}}, {"e", 1.5e-9}, {"s", std::string("a,\"b\"\n")}});
  t.append_row({{"id", int64_t{-1}}, {"e", -0.0}, {"s", std::string()}});
  std::string bytes;
  results::encode(t, bytes);
  size_t offset = 0;
  const results::Table u = results::decode(bytes, offset);
  CHECK(offset == bytes.size());
  REQUIRE(u.same_schema(t));
  CHECK(u.column("id").ints() == t.column("id").ints());
  CHECK(u.column("e").floats() == t.column("e").floats());
  CHECK(u.column("s").strings() == t.column("s").strings());
  CHECK(u.column("e").spec().description == "energy");
  offset = 0;
  CHECK_THROWS(results::decode(bytes.substr(0, bytes.size() - 1), offset));
}

TEST_CASE("A journal keeps every whole record and drops a torn last one", "[quick][sweep]") {
  const std::string path = "/tmp/frugal-test-journal-" + std::to_string(::getpid());
  std::remove(path.c_str());
  {
    auto j = results::Journal::create(path, "spec A");
    j.append(4, "four");
    j.append(2, std::string("t\0o", 3));
  }
  CHECK_THROWS_WITH(results::Journal::create(path, "spec A"), Catch::Contains("--resume"));
  {
    std::ofstream(path, std::ios::app) << "FRJ1 torn rec";  // a write cut short by a kill
  }
  std::string header;
  std::vector<std::pair<int64_t, std::string>> records;
  auto keep_header = [&](const std::string& h) { header = h; };
  auto refuse = [](const std::string&) -> void { throw InputError("other spec"); };
  CHECK_THROWS_WITH(results::Journal::resume(path, records, refuse), "other spec");
  CHECK(records.empty());
  {
    auto j = results::Journal::resume(path, records, keep_header);
    CHECK(header == "spec A");
    std::vector<std::pair<int64_t, std::string>> again;
    CHECK_THROWS_WITH(results::Journal::resume(path, again, keep_header),
                      Catch::Contains("another frugal process"));
    REQUIRE(records.size() == 2);
    CHECK(records[0] == std::make_pair(int64_t{4}, std::string("four")));
    CHECK(records[1].second == std::string("t\0o", 3));
    j.append(7, "seven");  // lands after the last whole record, not after the torn bytes
  }
  records.clear();
  results::Journal::resume(path, records, keep_header).remove();
  REQUIRE(records.size() == 3);
  CHECK(records[2].first == 7);
  CHECK(::access(path.c_str(), F_OK) != 0);
}

TEST_CASE("Parts: each section its own sweep, one after another, with every key's value",
          "[quick][sweep]") {
  SweepSpec spec = spec_with({{"batch", "8,16"}, {"rule", "bp"}});
  spec.normalize();  // rule is single-valued: base
  SweepPart a{"a", {}};
  a.spec.add_axis("hw", "cpu,gpu", "s.ini:3");
  SweepPart b{"b", {}};
  b.spec.add_axis("rule", "inference", "s.ini:5");
  b.spec.add_axis("timesteps", "8", "s.ini:6");
  spec.parts = {a, b};
  const std::vector<SweepScenario> s = expand(spec);
  REQUIRE(s.size() == 6);  // (2 batches x 2 devices) + 2 batches
  for (size_t i = 0; i < s.size(); ++i) {
    CHECK(s[i].id == static_cast<int64_t>(i));
    CHECK(s[i].point == static_cast<int64_t>(i));
  }
  CHECK(s[1].scenario.hw == "cpu");  // options in --help's order: hw, then batch (fastest)
  CHECK(s[1].scenario.batch == 16);
  CHECK(s[2].scenario.hw == "gpu");
  CHECK(s[2].scenario.batch == 8);
  CHECK(s[3].scenario.rule == "bp");
  CHECK(s[4].scenario.rule == "inference");  // the part's value wins over the base
  CHECK(s[5].scenario.timesteps == 8);
  CHECK(s[5].scenario.batch == 16);
  // Columns: the part, the top axis, and every key a part gives, with each scenario's value.
  const std::vector<std::string> keys = spec.column_keys();
  CHECK(keys == std::vector<std::string>{"part", "batch", "hw", "rule", "timesteps"});
  const auto value = [](const SweepScenario& x, const std::string& key) {
    for (const Setting& set : x.settings)
      if (set.first == key) return set.second;
    return std::string("(absent)");
  };
  CHECK(value(s[0], "part") == "a");
  CHECK(value(s[0], "timesteps") == "32");  // the default, resolved
  CHECK(value(s[0], "rule") == "bp");
  CHECK(value(s[4], "part") == "b");
  CHECK(value(s[4], "hw") == "cpu");
  CHECK(value(s[4], "timesteps") == "8");
  // The canonical text names the parts, so that --resume and merge see a change.
  const std::string text = spec.canonical();
  CHECK(text.find("[part a]\nhw = cpu, gpu\n") != std::string::npos);
  SweepSpec other = spec;
  other.parts[1].spec.axes[1].values = {"16"};
  CHECK(other.canonical() != text);
  // A part's error names the part.
  SweepSpec bad = spec;
  bad.parts[1].spec.add_axis("epochs", "0", "s.ini:7");
  CHECK_THROWS_WITH(expand(bad), Catch::Contains("part [b]: scenario 0 (batch=8): --epochs"));
}

TEST_CASE("A scenario's work for the sweep's ETA: training by its MACs, cost-only by a constant",
          "[quick][sweep]") {
  SweepSpec spec = spec_with({{"model", "mlp:784-10"},
                              {"rule", "bp,inference"},
                              {"train", "false,true"},
                              {"epochs", "2"},
                              {"train-subset", "1000"},
                              {"test-subset", "500"},
                              {"hw", "cpu,neuro:loihi"},
                              {"timesteps", "4"}});
  const Expansion e = expand_points(spec);
  REQUIRE(e.points.size() == 8);
  std::vector<hw::Preset> presets;
  for (const SweepPoint& p : e.points) presets.push_back(hw::find_preset(p.scenario.hw));
  std::vector<const hw::Preset*> preset_of;
  for (const hw::Preset& p : presets) preset_of.push_back(&p);
  const std::vector<double> work = scenario_work(e, preset_of);
  const double macs = 784.0 * 10;  // a sample through mlp:784-10
  int trained = 0;
  for (size_t i = 0; i < work.size(); ++i) {
    const Scenario& sc = e.points[i].scenario;
    INFO(sc.hw << " train " << sc.train);
    const double timesteps = presets[i].device() == "neuro" ? 4 : 1;  // a spiking sample's
    // Trained on the device: every pass at its timesteps; trained off it and deployed (rule
    // inference): the training digital, the test at the timesteps.
    const double expected = sc.rule == "inference" ? 1e9 + macs * (3 * 1000 * 2 + timesteps * 500)
                                                   : 1e9 + timesteps * macs * (3 * 1000 * 2 + 500);
    CHECK(work[i] == Approx(sc.train ? expected : 1e9));
    trained += sc.train;
  }
  CHECK(trained == 4);
}

TEST_CASE("A worker's progress within its task reaches the parent, and starts at 0 for the next",
          "[quick][sweep]") {
  int gate[2];
  REQUIRE(::pipe(gate) == 0);
  // Each task reports task/4 done, then waits for the test to let it finish.
  WorkerPool pool(1, 0, [&](int64_t task) {
    report_progress(0.25 * static_cast<double>(task));
    char c = 0;
    if (::read(gate[0], &c, 1) != 1) return std::string("no gate");
    return std::string("done");
  });
  auto wait_for = [&](auto&& condition) {  // a state, not a time: up to 6,000 polls
    for (int i = 0; i < 6000 && !condition(); ++i) pool.wait(0.01);
    return condition();
  };
  pool.submit(2);
  CHECK(wait_for([&] {
    const auto running = pool.in_flight();
    return running.size() == 1 && running[0].first == 2 && running[0].second == 0.5;
  }));
  REQUIRE(::write(gate[1], "x", 1) == 1);
  std::vector<TaskResult> results;
  CHECK(wait_for([&] {
    for (TaskResult& r : pool.wait(0.01)) results.push_back(r);
    return !results.empty();
  }));
  REQUIRE(results.size() == 1);
  CHECK(results[0].payload == "done");
  CHECK(pool.in_flight().empty());
  pool.submit(1);  // the last task's 0.5 must not show as this one's
  const auto next = pool.in_flight();
  REQUIRE(next.size() == 1);
  CHECK((next[0].second == 0.0 || next[0].second == 0.25));
  REQUIRE(::write(gate[1], "x", 1) == 1);
  results.clear();
  CHECK(wait_for([&] {
    for (TaskResult& r : pool.wait(0.01)) results.push_back(r);
    return !results.empty();
  }));
  ::close(gate[0]);
  ::close(gate[1]);
}
