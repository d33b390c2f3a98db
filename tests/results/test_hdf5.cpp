#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "results/core/error.h"
#include "results/files/hdf5_file.h"

using namespace frugal;
using namespace frugal::results;

namespace {

std::string temp_path(const std::string& name) {
  return "/tmp/frugal-test-" + std::to_string(::getpid()) + "-" + name;
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

Table sample(const std::string& name, int64_t first_id, int rows) {
  Table t(name, "sample table");
  t.add_column({"scenario_id", ColumnType::int64, "1", "id"});
  t.add_column({"energy_j", ColumnType::float64, "J", "energy"});
  t.add_column({"hw", ColumnType::string, "", "preset"});
  for (int i = 0; i < rows; ++i)
    t.append_row({{"scenario_id", first_id + i},
                  {"energy_j", 0.5 * static_cast<double>(first_id + i)},
                  {"hw", std::string("cpu:\xC3\xA9t\xC3\xA9-") + std::to_string(i)}});  // UTF-8
  return t;
}

}  // namespace

TEST_CASE("a result file round-trips through the HDF5 C API", "[quick][results][hdf5]") {
  const std::string path = temp_path("roundtrip.h5");
  std::remove(path.c_str());
  {
    ResultsWriter writer(path, false);
    CHECK(exists(path + ".partial"));
    CHECK_FALSE(exists(path));
    writer.set_root_attributes(
        {{"seed", int64_t{42}}, {"git_sha", std::string("abc")}, {"ratio", 0.25}});
    writer.write_table(sample("scenarios", 0, 3), "scenario_id");
    writer.write_table(sample("scenarios", 3, 2), "scenario_id");  // appends
    writer.write_table(sample("ops", 0, 4));
    writer.commit();
  }
  REQUIRE(exists(path));
  CHECK_FALSE(exists(path + ".partial"));

  const ResultsFile file = read_results(path);
  CHECK(std::get<int64_t>(file.attribute("seed")) == 42);
  CHECK(std::get<std::string>(file.attribute("git_sha")) == "abc");
  CHECK(std::get<double>(file.attribute("ratio")) == 0.25);
  const Table& scenarios = file.tables.at("scenarios");
  REQUIRE(scenarios.rows() == 5);
  CHECK(scenarios.column("scenario_id").ints() == std::vector<int64_t>{0, 1, 2, 3, 4});
  CHECK(scenarios.column("energy_j").floats().back() == 2.0);
  CHECK(scenarios.column("energy_j").spec().units == "J");
  CHECK(scenarios.column("energy_j").spec().description == "energy");
  CHECK(scenarios.column("hw").strings()[1] == "cpu:\xC3\xA9t\xC3\xA9-1");
  CHECK(file.tables.at("ops").rows() == 4);

  // Dimension scales, checked directly with the HDF5 high-level API.
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t id = H5Dopen2(f, "/scenarios/scenario_id", H5P_DEFAULT);
  const hid_t energy = H5Dopen2(f, "/scenarios/energy_j", H5P_DEFAULT);
  const hid_t row = H5Dopen2(f, "/ops/row", H5P_DEFAULT);
  const hid_t ops_energy = H5Dopen2(f, "/ops/energy_j", H5P_DEFAULT);
  CHECK(H5DSis_scale(id) > 0);
  CHECK(H5DSis_attached(energy, id, 0) > 0);
  CHECK(H5DSis_scale(row) > 0);
  CHECK(H5DSis_attached(ops_energy, row, 0) > 0);
  for (hid_t d : {id, energy, row, ops_energy}) H5Dclose(d);
  H5Fclose(f);
  std::remove(path.c_str());
}

TEST_CASE("an uncommitted writer leaves no file behind", "[quick][results][hdf5]") {
  const std::string path = temp_path("abandoned.h5");
  {
    ResultsWriter writer(path, false);
    writer.write_table(sample("scenarios", 0, 2), "scenario_id");
  }
  CHECK_FALSE(exists(path));
  CHECK_FALSE(exists(path + ".partial"));
}

TEST_CASE("output paths are checked before any work", "[quick][results][hdf5]") {
  CHECK_THROWS_WITH(check_output_path("/nonexistent-dir/x.h5", false),
                    Catch::Contains("'/nonexistent-dir' does not exist"));
  CHECK_THROWS_AS(check_output_path("", false), InputError);
  CHECK_THROWS_WITH(check_output_path("/tmp/", false), Catch::Contains("is a directory"));
  const std::string path = temp_path("existing.h5");
  std::ofstream(path) << "precious";
  CHECK_THROWS_WITH(check_output_path(path, false), Catch::Contains("already exists"));
  CHECK_NOTHROW(check_output_path(path, true));
  CHECK_THROWS_AS(ResultsWriter(path, false), InputError);
  std::ifstream in(path);
  std::string content;
  in >> content;
  CHECK(content == "precious");  // a refused write never touches an existing result
  std::remove(path.c_str());
}

TEST_CASE("reading a file that is not HDF5 fails cleanly", "[quick][results][hdf5]") {
  const std::string path = temp_path("not-hdf5.h5");
  std::ofstream(path) << "not hdf5";
  CHECK_THROWS_AS(read_results(path), IoError);
  std::remove(path.c_str());
}
