#include "sim/sweep/result_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>

#include "results/core/build_info.h"
#include "results/core/error.h"
#include "results/core/text_file.h"
#include "results/core/units.h"
#include "sim/scenario/options.h"

namespace frugal::sim {

namespace {
// Schema of the result files (docs/results-schema.md); bump on any change to groups or columns.
constexpr const char* kSchemaVersion = "0.20.0";
}  // namespace

std::vector<results::Attribute> root_attributes() {
  return {{"schema", std::string("frugal-results")},
          {"schema_version", std::string(kSchemaVersion)}};
}

std::vector<results::Attribute> provenance(const Provenance& p) {
  return {
      {"frugal_version", version()},    {"git_sha", git_sha()},
      {"command_line", p.command_line}, {"created_utc", units::utc_now()},
      {"sweep_spec", p.sweep_spec},     {"config_files", p.config_files},
      {"hw_presets", p.hw_presets},     {"scenario_count", p.scenario_count},
      {"shard_index", p.shard_index},   {"shard_count", p.shard_count},
  };
}

using results::Column;
using results::ColumnType;
using results::ResultsFile;
using results::Table;

namespace {

std::vector<int64_t> ids_of(const Table& table) {
  return table.has_column("scenario_id") ? table.column("scenario_id").ints()
                                         : std::vector<int64_t>{};
}

// Assigns /power offsets as the samples lie in /power_samples, in /power row order.
void renumber_offsets(Table& power) {
  int64_t offset = 0;
  Column& offsets = power.column("offset");
  const std::vector<int64_t>& counts = power.column("count").ints();
  for (size_t r = 0; r < counts.size(); ++r) {
    offsets.set(r, offset);
    offset += counts[r];
  }
}

// First line where two texts differ, for error messages.
std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream x(a), y(b);
  std::string lx, ly;
  for (int line = 1;; ++line) {
    const bool gx = static_cast<bool>(std::getline(x, lx));
    const bool gy = static_cast<bool>(std::getline(y, ly));
    if (!gx && !gy) return "no difference";
    if (!gx) lx = "(end)";
    if (!gy) ly = "(end)";
    if (lx != ly) return "'" + lx + "' against '" + ly + "'";
  }
}

// Each scenario of a complete result `file` that finished ok, as the record the sweep's journal
// would hold for it (its rows of every table, encoded); the ids of the others go to `retry`.
std::vector<std::pair<int64_t, std::string>> finished_records(const ResultsFile& file,
                                                              const ResultTables& schema,
                                                              std::vector<int64_t>& retry) {
  const auto table = [&](const std::string& name) -> const Table& {
    const auto it = file.tables.find(name);
    if (it == file.tables.end())
      throw InputError("--retry-failed: the result file has no /" + name + " table");
    return it->second;
  };
  const Table& scenarios = table("scenarios");
  const std::vector<int64_t> ids = ids_of(scenarios);
  const std::vector<std::string>& status = scenarios.column("status").strings();
  // Rows of each table by scenario, in one pass over each.
  ResultTables empty = schema;
  std::map<std::string, std::map<int64_t, std::vector<size_t>>> rows;
  for (const Table* t : empty.all()) {
    if (t->name() == "power_samples") continue;
    const std::vector<int64_t> owner = ids_of(table(t->name()));
    for (size_t r = 0; r < owner.size(); ++r) rows[t->name()][owner[r]].push_back(r);
  }
  const Table& power = table("power");
  std::vector<std::pair<int64_t, std::string>> records;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (status[i] != "ok") {
      retry.push_back(ids[i]);
      continue;
    }
    ResultTables one = schema;
    std::vector<size_t> samples;
    for (size_t r : rows["power"][ids[i]]) {
      const auto offset = static_cast<size_t>(power.column("offset").ints()[r]);
      const auto count = static_cast<size_t>(power.column("count").ints()[r]);
      for (size_t k = 0; k < count; ++k) samples.push_back(offset + k);
    }
    for (Table* t : one.all()) {
      const Table& from = table(t->name());
      const std::vector<size_t>& picked =
          t->name() == "power_samples" ? samples : rows[t->name()][ids[i]];
      // Column by column, as this build declares them (a file stores a numeric column's empty
      // unit as "1").
      if (from.columns().size() != t->columns().size())
        throw InputError("--retry-failed: /" + t->name() +
                         " has other columns than this build writes");
      for (const results::Column& c : from.columns()) {
        if (!t->has_column(c.spec().name) || t->column(c.spec().name).spec().type != c.spec().type)
          throw InputError("--retry-failed: /" + t->name() + " column '" + c.spec().name +
                           "' is not one this build writes");
        Column& into = t->column(c.spec().name);
        for (size_t r : picked) into.push(c.at(r));
      }
    }
    renumber_offsets(one.power);
    records.emplace_back(ids[i], encode_tables(one));
  }
  return records;
}

}  // namespace

std::string sweep_identity(const std::string& version, const std::string& git_sha,
                           const std::string& sweep_spec, int64_t shard_index,
                           int64_t shard_count) {
  return "# frugal " + version + " (git " + git_sha + ")\n" + sweep_spec +
         "[shard]\nshard = " + std::to_string(shard_index) + "/" + std::to_string(shard_count) +
         "\n";
}

namespace {

// --retry-failed: checks that the complete result PATH is this sweep's (`identity`) and writes
// PATH.journal as an interrupted sweep would have left it, holding the scenarios that finished ok.
void journal_finished_scenarios(const std::string& path, const ResultTables& schema,
                                const std::string& identity) {
  const std::string journal = path + ".journal";
  struct stat st {};
  if (::stat(journal.c_str(), &st) == 0)
    throw InputError("--retry-failed: '" + journal + "' exists: the sweep was interrupted " +
                     "(finish it with --resume first)");
  if (::stat(path.c_str(), &st) != 0)
    throw InputError("nothing to retry: '" + path + "' does not exist");
  const ResultsFile file = results::read_results(path);
  const std::string found =
      sweep_identity(file.string_attribute("provenance", "frugal_version"),
                     file.string_attribute("provenance", "git_sha"),
                     file.string_attribute("provenance", "sweep_spec"),
                     std::atoll(file.string_attribute("provenance", "shard_index").c_str()),
                     std::atoll(file.string_attribute("provenance", "shard_count").c_str()));
  if (found != identity)
    throw InputError("--retry-failed: '" + path + "' was written by a different sweep or build (" +
                     first_difference(found, identity) +
                     "); retry with the same options and build");
  std::vector<int64_t> retry;
  const auto records = finished_records(file, schema, retry);
  if (retry.empty())
    throw InputError("nothing to retry: every scenario in '" + path + "' finished ok");
  results::Journal written = results::Journal::create(journal, identity);
  for (const auto& [id, encoded] : records) written.append(id, encoded);
  written.sync();
}

}  // namespace

// ---- SweepWriter ---------------------------------------------------------------------------

void SweepWriter::open(const std::vector<results::Attribute>& provenance_attributes,
                       bool overwrite) {
  m_buffer.clear_rows();
  m_writer = std::make_unique<results::ResultsWriter>(m_path, overwrite, ".partial",
                                                      results::Ownership::lock_held);
  m_writer->set_root_attributes(root_attributes());
  m_writer->set_group_attributes("provenance", provenance_attributes);
  for (Table* t : m_buffer.all()) m_writer->write_table(*t, scale_column(t->name()));
  m_writer->flush();
}

SweepWriter::SweepWriter(const std::string& path, bool overwrite,
                         const std::vector<results::Attribute>& provenance_attributes,
                         const ResultTables& schema, const std::string& identity)
    : m_lock(std::make_unique<results::OutputLock>(path)), m_path(path), m_buffer(schema) {
  results::check_no_interrupted_sweep(path);
  results::check_output_path(path, overwrite);
  // The journal first: a kill at any moment from here on leaves something --resume can continue.
  if (!identity.empty())
    m_journal =
        std::make_unique<results::Journal>(results::Journal::create(path + ".journal", identity));
  try {
    open(provenance_attributes, overwrite);
  } catch (...) {
    if (m_journal) m_journal->remove();  // it holds no result yet
    throw;
  }
}

SweepWriter::SweepWriter(const std::string& path, bool overwrite,
                         const std::vector<results::Attribute>& provenance_attributes,
                         const ResultTables& schema, const std::string& identity,
                         std::set<int64_t>& done, int64_t& failed, Continue how)
    : m_lock(std::make_unique<results::OutputLock>(path)), m_path(path), m_buffer(schema) {
  const std::string journal = path + ".journal";
  struct stat st {};
  if (how == Continue::retry_failed) {
    journal_finished_scenarios(path, schema, identity);
    overwrite = true;  // the retried sweep replaces the file it was made from
  }
  if (::stat(journal.c_str(), &st) != 0)
    throw InputError("nothing to resume: '" + journal + "' does not exist" +
                     (::stat(path.c_str(), &st) == 0 ? " ('" + path + "' is complete)"
                      : ::stat((path + ".partial").c_str(), &st) == 0
                          ? " ('" + path +
                                ".partial' is left by a run stopped before it finished any " +
                                "scenario: run without --resume)"
                          : ""));
  if (!overwrite && ::stat(path.c_str(), &st) == 0)
    throw InputError("--resume: '" + path + "' exists (add --force to replace it when the sweep " +
                     "completes; if it is this sweep's complete result, delete " + journal + ")");
  std::vector<std::pair<int64_t, std::string>> records;
  m_journal = std::make_unique<results::Journal>(
      results::Journal::resume(journal, records, [&](const std::string& found) {
        if (found != identity)
          throw InputError("--resume: '" + journal +
                           "' was written by a different sweep or build (" +
                           first_difference(found, identity) +
                           "); resume with the same options and build, or write to another file");
      }));
  std::vector<ResultTables> replay;
  for (auto& [id, encoded] : records) {
    ResultTables tables;
    try {
      tables = decode_tables(encoded, schema);
    } catch (const std::exception& e) {
      throw InputError("--resume: '" + journal + "' holds a result this build cannot read (" +
                       e.what() + ")");
    }
    const std::vector<int64_t>& ids = tables.scenarios.column("scenario_id").ints();
    if (ids.size() != 1 || ids.front() != id)
      throw InputError("--resume: '" + journal + "' is inconsistent (record " + std::to_string(id) +
                       ")");
    if (!done.insert(id).second) continue;
    replay.push_back(std::move(tables));
  }
  // Everything checked: the partial file holds nothing the journal lacks; rebuild it from there.
  std::remove((path + ".partial").c_str());
  std::remove((path + ".sorting").c_str());
  open(provenance_attributes, overwrite);
  for (ResultTables& tables : replay) {
    const std::vector<std::string>& status = tables.scenarios.column("status").strings();
    failed += static_cast<int64_t>(std::count_if(status.begin(), status.end(),
                                                 [](const std::string& s) { return s != "ok"; }));
    add(tables);
  }
  flush();
}

void SweepWriter::record(int64_t id, const std::string& encoded) {
  if (m_journal) m_journal->append(id, encoded);
}

void SweepWriter::add(ResultTables& tables) {
  Column& offsets = tables.power.column("offset");
  const std::vector<int64_t>& counts = tables.power.column("count").ints();
  for (size_t r = 0; r < counts.size(); ++r) {
    offsets.set(r, m_samples);
    m_samples += counts[r];
  }
  for (int64_t id : ids_of(tables.scenarios)) {
    if (id <= m_last_id) m_sorted = false;
    m_last_id = std::max(m_last_id, id);
  }
  auto target = m_buffer.all();
  auto source = tables.all();
  for (size_t i = 0; i < target.size(); ++i) target[i]->append(*source[i]);
}

void SweepWriter::flush() {
  const auto rows = static_cast<int64_t>(m_buffer.scenario_rows());
  for (Table* t : m_buffer.all()) m_writer->write_table(*t, scale_column(t->name()));
  m_buffer.clear_rows();
  m_writer->flush();
  if (m_journal) {
    m_journal->sync();
    if (!m_journal->intact())
      throw IoError("'" + m_journal->path() +
                    "' was deleted or replaced by another process while this sweep was writing it");
  }
  m_scenarios_written += rows;
}

void SweepWriter::finish(bool overwrite) {
  flush();
  if (m_sorted) {
    m_writer->commit();
  } else {
    m_writer->close_and_keep();
    const std::string partial = m_writer->partial_path();
    ResultsFile file = results::read_results(partial);
    sort_by_scenario(file);
    std::remove((m_path + ".sorting").c_str());  // our own temporary, left by a kill
    write_results_file(file, m_path, overwrite, ".sorting", results::Ownership::lock_held);
    std::remove(partial.c_str());
  }
  if (m_journal) m_journal->remove();
  m_lock->release();
}

void SweepWriter::keep_partial() {
  flush();
  if (m_journal) m_journal->sync();
  m_writer->close_and_keep();
}

// ---- sorting, writing, merging ---------------------------------------------------------------

void sort_by_scenario(ResultsFile& file) {
  for (auto& [name, table] : file.tables) {
    if (!table.has_column("scenario_id")) continue;
    const std::vector<int64_t> ids = ids_of(table);
    std::vector<size_t> order(ids.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return ids[a] < ids[b]; });
    table = results::select_rows(table, order);
  }
  const auto power = file.tables.find("power");
  const auto samples = file.tables.find("power_samples");
  if (power == file.tables.end() || samples == file.tables.end()) return;
  // The samples follow their traces' new order; offsets then count from the start again.
  std::vector<size_t> sample_order;
  Table& p = power->second;
  for (size_t r = 0; r < p.rows(); ++r) {
    const auto offset = static_cast<size_t>(p.column("offset").ints()[r]);
    const auto count = static_cast<size_t>(p.column("count").ints()[r]);
    if (offset + count > samples->second.rows())
      throw IoError("/power row " + std::to_string(r) + " points past the end of /power_samples");
    for (size_t i = 0; i < count; ++i) sample_order.push_back(offset + i);
  }
  samples->second = results::select_rows(samples->second, sample_order);
  renumber_offsets(p);
}

void write_results_file(const ResultsFile& file, const std::string& path, bool overwrite,
                        const std::string& partial_suffix, results::Ownership ownership) {
  results::ResultsWriter writer(path, overwrite, partial_suffix, ownership);
  writer.set_root_attributes(file.root_attributes);
  for (const auto& [group, attributes] : file.group_attributes)
    writer.set_group_attributes(group, attributes);
  std::vector<std::string> order = table_names();
  for (const auto& entry : file.tables)
    if (std::find(order.begin(), order.end(), entry.first) == order.end())
      order.push_back(entry.first);
  for (const std::string& name : order) {
    const auto it = file.tables.find(name);
    if (it != file.tables.end()) writer.write_table(it->second, scale_column(name));
  }
  writer.commit();
}

void merge_shards(const std::string& out, const std::vector<std::string>& shards, bool overwrite) {
  if (shards.empty()) throw InputError("merge needs shard files: frugal merge OUT.h5 SHARD...");
  results::check_output_path(out, overwrite);
  ResultsFile merged;
  std::string spec;
  int64_t total = -1;
  std::map<int64_t, std::string> owner;  // scenario id -> shard file
  for (const std::string& path : shards) {
    ResultsFile shard;
    try {
      shard = results::read_results(path);
    } catch (const IoError& e) {
      throw InputError("merge: " + std::string(e.what()));
    }
    const std::string shard_spec = shard.string_attribute("provenance", "sweep_spec");
    const std::string count_text = shard.string_attribute("provenance", "scenario_count");
    bool complete = !shard_spec.empty() && !count_text.empty();
    for (const std::string& table : table_names()) complete = complete && shard.tables.count(table);
    if (!complete) throw InputError("merge: '" + path + "' is not a frugal sweep result file");
    if (total < 0) {
      spec = shard_spec;
      total = std::stoll(count_text);
      merged = shard;
      for (auto& [name, table] : merged.tables) table.clear_rows();
    } else if (shard_spec != spec) {
      throw InputError("merge: '" + path + "' comes from a different sweep specification than '" +
                       shards.front() + "' (" + first_difference(spec, shard_spec) + ")");
    }
    for (int64_t id : ids_of(shard.tables.at("scenarios"))) {
      const auto [it, inserted] = owner.emplace(id, path);
      if (!inserted)
        throw InputError("merge: scenario " + std::to_string(id) + " appears twice ('" +
                         it->second + "' and '" + path + "'; a shard given twice?)");
    }
    for (auto& [name, table] : shard.tables) {
      auto target = merged.tables.find(name);
      if (target == merged.tables.end() || !target->second.same_schema(table))
        throw InputError("merge: table /" + name + " of '" + path +
                         "' has other columns than in '" + shards.front() + "'");
      if (name == "power") {
        // Offsets point into this shard's samples: shift them past the samples merged so far.
        const auto base = static_cast<int64_t>(merged.tables.at("power_samples").rows());
        Column& offsets = table.column("offset");
        for (size_t r = 0; r < offsets.size(); ++r) offsets.set(r, offsets.ints()[r] + base);
      }
    }
    // power before power_samples is not guaranteed by map order: append samples last.
    for (auto& [name, table] : shard.tables)
      if (name != "power_samples") merged.tables.at(name).append(table);
    merged.tables.at("power_samples").append(shard.tables.at("power_samples"));
  }
  std::vector<int64_t> missing;
  for (int64_t id = 0; id < total; ++id)
    if (!owner.count(id)) missing.push_back(id);
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size() && i < 8; ++i)
      list += (i ? ", " : "") + std::to_string(missing[i]);
    throw InputError("merge: " + std::to_string(missing.size()) + " of " + std::to_string(total) +
                     " scenarios are missing (" + list + (missing.size() > 8 ? ", ..." : "") +
                     "); is a shard missing or incomplete?");
  }
  sort_by_scenario(merged);
  auto& attributes = merged.group_attributes["provenance"];
  std::string sources;
  for (const std::string& s : shards) sources += (sources.empty() ? "" : "\n") + s;
  for (auto& a : attributes) {
    if (a.name == "shard_index") a.value = int64_t{0};
    if (a.name == "shard_count") a.value = int64_t{1};
  }
  attributes.push_back({"merged_from", sources});
  attributes.push_back({"merged_utc", units::utc_now()});
  write_results_file(merged, out, overwrite);
}

// ---- CSV export ------------------------------------------------------------------------------

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos &&
      (s.empty() || (s.front() != ' ' && s.back() != ' ')))
    return s;
  std::string quoted = "\"";
  for (char c : s) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string csv_cell(const Column& c, size_t row) {
  switch (c.spec().type) {
    case ColumnType::int64:
      return std::to_string(c.ints()[row]);
    case ColumnType::float64: {
      const double v = c.floats()[row];
      if (std::isnan(v)) return "nan";
      return format_number(v);  // the shortest text that reads back exactly: 0.05, not 0.05000…03
    }
    case ColumnType::string:
      return csv_field(c.strings()[row]);
  }
  return {};
}

}  // namespace

ResultsFile read_frugal_file(const std::string& path, const std::string& command) {
  ResultsFile file;
  try {
    file = results::read_results(path);
  } catch (const IoError& e) {
    throw InputError(command + ": " + e.what());
  }
  if (file.string_attribute("", "schema") != "frugal-results")
    throw InputError(command + ": '" + path +
                     "' is not a frugal result file (its root lacks the attribute schema = "
                     "frugal-results)");
  return file;
}

std::vector<std::string> export_csv(const std::string& path, const std::string& prefix,
                                    bool overwrite) {
  const ResultsFile file = read_frugal_file(path, "export");
  std::vector<std::pair<std::string, std::string>> outputs;  // path, text
  std::string columns = "table,column,units,description\n";
  for (const auto& [name, table] : file.tables) {
    std::string text;
    for (size_t i = 0; i < table.columns().size(); ++i)
      text += (i ? "," : "") + csv_field(table.columns()[i].spec().name);
    text += "\n";
    for (size_t r = 0; r < table.rows(); ++r) {
      for (size_t i = 0; i < table.columns().size(); ++i)
        text += (i ? "," : "") + csv_cell(table.columns()[i], r);
      text += "\n";
    }
    outputs.emplace_back(prefix + "-" + name + ".csv", std::move(text));
    for (const Column& c : table.columns())
      columns += csv_field(name) + "," + csv_field(c.spec().name) + "," +
                 csv_field(c.spec().units) + "," + csv_field(c.spec().description) + "\n";
  }
  outputs.emplace_back(prefix + "-columns.csv", std::move(columns));
  for (const auto& [out, text] : outputs) results::check_output_path(out, overwrite);
  write_files_atomically(outputs);
  std::vector<std::string> written;
  for (const auto& [out, text] : outputs) written.push_back(out);
  return written;
}

}  // namespace frugal::sim
