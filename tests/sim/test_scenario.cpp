#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "results/core/error.h"
#include "results/core/text_file.h"
#include "results/core/units.h"
#include "sim/app/report.h"
#include "sim/scenario/config_file.h"
#include "sim/scenario/options.h"
#include "sim/scenario/training_cache.h"

using namespace frugal;
using namespace frugal::sim;
namespace po = boost::program_options;

namespace {
std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = "/tmp/frugal-test-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}
}  // namespace

TEST_CASE("INI files set scenario options, and values already given win", "[quick][sim]") {
  Scenario s;
  po::options_description options = option_description(s);
  po::variables_map vm;
  const char* argv[] = {"frugal", "--batch", "16"};
  po::store(po::parse_command_line(3, argv, options), vm);
  const std::string path =
      write_temp("ok.ini", "# a scenario\nmodel = mlp:784-100-10\nbatch = 8\n\nrule=inference\n");
  read_config_file(path, options, vm);
  po::notify(vm);
  CHECK(s.model == "mlp:784-100-10");
  CHECK(s.rule == "inference");
  CHECK(s.batch == 16);  // the command line wins
  CHECK(s.hw == "cpu");  // default kept
  std::remove(path.c_str());
}

TEST_CASE("INI files with unknown keys or sections fail naming file, line and key",
          "[quick][sim]") {
  Scenario s;
  po::options_description options = option_description(s);
  po::variables_map vm;
  const std::string typo = write_temp("typo.ini", "model = mlp:4-2\n\nbach = 8\n");
  CHECK_THROWS_WITH(read_config_file(typo, options, vm),
                    Catch::Contains(typo + ":3") && Catch::Contains("unknown key 'bach'") &&
                        Catch::Contains("did you mean 'batch'"));
  const std::string section = write_temp("section.ini", "[sweep]\nbatch = 8\n");
  CHECK_THROWS_WITH(read_config_file(section, options, vm), Catch::Contains(section + ":1"));
  const std::string bad_value = write_temp("value.ini", "batch = many\n");
  CHECK_THROWS_WITH(read_config_file(bad_value, options, vm),
                    Catch::Contains(bad_value) && Catch::Contains("batch"));
  CHECK_THROWS_WITH(read_config_file("/nonexistent.ini", options, vm),
                    Catch::Contains("cannot read"));
  for (const auto& p : {typo, section, bad_value}) std::remove(p.c_str());
}

TEST_CASE("scenario values are validated and reproducible as INI", "[quick][sim]") {
  Scenario s;
  s.batch = -3;
  CHECK_THROWS_WITH(check_scenario(s),
                    Catch::Contains("--batch must be a positive integer, got -3"));
  s.batch = 4;
  CHECK(to_ini(s).find("batch = 4\n") != std::string::npos);
  CHECK(closest_name("optimiser", {"optimizer", "model"}) == "optimizer");
  CHECK(closest_name("zzzzzz", {"optimizer", "model"}).empty());
}

TEST_CASE("command lines are recorded so that a shell can replay them", "[quick][sim]") {
  CHECK(shell_quote({"frugal", "run", "--model", "mlp:4-2"}) == "frugal run --model mlp:4-2");
  CHECK(shell_quote({"a b", "it's"}) == "'a b' 'it'\\''s'");
  CHECK(units::group_digits(1234567) == "1,234,567");
  CHECK(units::group_digits(12) == "12");
}

TEST_CASE("A shared training reads back exactly, NaNs and all", "[quick][sim][sweep]") {
  algorithms::TrainResult r;
  r.train_samples = 60000;
  r.scheduled_epochs = 3;
  r.macs_per_sample = 235146;
  r.crossbar.pulses = 0.1 + 0.2;  // not a short decimal
  r.crossbar.array_slots = 0.7 + 0.1;
  r.fp32_accuracy = 0.8824;
  r.pruned_accuracy = 1.0 / 3;
  r.epochs.push_back({1, 0.612345678901234, std::nan(""), 0.81, 0.79});
  r.epochs.push_back({2, 0.4, 0.85, 0.8824, std::nan("")});
  r.drift.push_back({3600, 0.87});
  const algorithms::TrainResult back = decode_training(encode_training(r));
  CHECK(back.train_samples == 60000);
  CHECK(back.scheduled_epochs == 3);
  CHECK(back.macs_per_sample == 235146);
  CHECK(back.crossbar.pulses == r.crossbar.pulses);  // bit for bit
  CHECK(std::isnan(back.crossbar.row_slots));
  CHECK(back.crossbar.array_slots == r.crossbar.array_slots);
  CHECK(std::isnan(back.deployed_accuracy));
  CHECK(back.pruned_accuracy == r.pruned_accuracy);
  REQUIRE(back.epochs.size() == 2);
  CHECK(back.epochs[0].train_loss == r.epochs[0].train_loss);
  CHECK(std::isnan(back.epochs[0].train_accuracy));
  CHECK(std::isnan(back.epochs[1].validation_accuracy));
  CHECK(back.epochs[1].test_accuracy == 0.8824);
  REQUIRE(back.drift.size() == 1);
  CHECK(back.drift[0].time_s == 3600);
  CHECK(back.final_test_accuracy() == r.final_test_accuracy());
  CHECK_THROWS(decode_training("something else"));
}
