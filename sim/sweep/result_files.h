#pragma once
// Whole result files: the streaming writer of a sweep (tables appended as scenarios finish,
// flushed every few, sorted by scenario_id when complete), merging shards, exporting CSV.

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "results/files/hdf5_file.h"
#include "results/files/journal.h"
#include "results/files/output_lock.h"
#include "sim/metrics/result_tables.h"

namespace frugal::sim {

// Root attributes of every result file: schema name and schema_version.
std::vector<results::Attribute> root_attributes();

// What /provenance records: the build (version, git commit), the command line, the creation time
// (UTC, ISO 8601), the resolved sweep specification (a single run is a sweep of one), the text of
// the config files read, the hardware presets as used (every value with its unit and source), and
// which shard of how many scenarios the file holds.
struct Provenance {
  std::string command_line;
  std::string sweep_spec;
  std::string config_files;
  std::string hw_presets;
  int64_t scenario_count = 0;
  int64_t shard_index = 0;
  int64_t shard_count = 1;
};
std::vector<results::Attribute> provenance(const Provenance& p);

// What identifies a sweep for --resume and --retry-failed: the build, the specification and the
// shard.
std::string sweep_identity(const std::string& version, const std::string& git_sha,
                           const std::string& sweep_spec, int64_t shard_index, int64_t shard_count);

// How a SweepWriter starts: a resumed sweep continues from PATH.journal; a retried one first
// turns the complete result PATH into such a journal, holding the scenarios that finished ok,
// so that the others run again and the new file replaces PATH when complete.
enum class Continue { resume, retry_failed };

// Writes a sweep's result file crash-safely. It holds PATH's lock (results/files/output_lock.h)
// from construction to finish(), so no other frugal process writes PATH or its companions
// meanwhile. Each finished scenario is first appended to the
// journal PATH.journal (results/files/journal.h), then its rows go to PATH.partial, which is
// flushed every few scenarios and stays readable between flushes; finish() renames it to PATH with
// every table in scenario_id order (whatever order the scenarios finished in) and deletes the
// journal.
// --resume rebuilds PATH.partial from the journal, so a kill at any moment loses nothing that
// had finished.
class SweepWriter {
 public:
  // A new sweep: PATH.journal may not exist (an interrupted sweep's); a stale PATH.partial is
  // deleted. The journal is created before the partial file. `identity` (the sweep
  // specification and shard) heads the journal; --resume must match it. An empty identity
  // writes no journal (a single run, which has nothing to resume).
  SweepWriter(const std::string& path, bool overwrite,
              const std::vector<results::Attribute>& provenance, const ResultTables& schema,
              const std::string& identity);
  // --resume: reads PATH.journal (InputError if missing, or if its identity differs, naming the
  // first difference; nothing is touched then), writes its scenarios to a fresh PATH.partial, and
  // continues the journal. `overwrite`: PATH may exist (replaced when the sweep completes). Fills
  // `done` with their ids and counts those that did not finish ok in `failed`.
  // With Continue::retry_failed, PATH must be a complete result of the same sweep and build
  // (InputError otherwise, naming the difference) with no journal beside it; PATH stays as it
  // is until the retried sweep completes (a kill meanwhile leaves a journal: --resume --force).
  SweepWriter(const std::string& path, bool overwrite,
              const std::vector<results::Attribute>& provenance, const ResultTables& schema,
              const std::string& identity, std::set<int64_t>& done, int64_t& failed,
              Continue how = Continue::resume);

  // Journals one finished scenario's encoded tables (call as soon as it finishes).
  void record(int64_t id, const std::string& encoded);
  // Buffers one scenario's tables for the result file (power offsets are assigned here).
  void add(ResultTables& tables);
  // Writes buffered rows and flushes the file to disk.
  void flush();
  // flush(), then sort if needed, rename to PATH, delete the journal.
  void finish(bool overwrite);
  // flush() and close, keeping PATH.partial and the journal for --resume.
  void keep_partial();

  const std::string& partial_path() const { return m_writer->partial_path(); }
  // Whether the journal is still this sweep's (not deleted or replaced by another process).
  bool journal_intact() const { return !m_journal || m_journal->intact(); }
  int64_t rows_written() const { return m_scenarios_written; }
  size_t buffered() const { return m_buffer.scenario_rows(); }

 private:
  void open(const std::vector<results::Attribute>& provenance, bool overwrite);
  std::unique_ptr<results::OutputLock> m_lock;  // PATH's, held for the whole sweep
  std::string m_path;
  std::unique_ptr<results::ResultsWriter> m_writer;
  std::unique_ptr<results::Journal> m_journal;
  ResultTables m_buffer;
  int64_t m_samples = 0;  // rows of /power_samples written or buffered
  int64_t m_last_id = -1;
  bool m_sorted = true;
  int64_t m_scenarios_written = 0;
};

// Sorts every table of `file` by scenario_id (stable: ops keep their order within a scenario) and
// renumbers /power offsets to match the reordered /power_samples.
void sort_by_scenario(results::ResultsFile& file);

// Writes `file` (read by read_results) as a new result file at `path`, tables in frugal's order.
void write_results_file(const results::ResultsFile& file, const std::string& path, bool overwrite,
                        const std::string& partial_suffix = ".partial",
                        results::Ownership ownership = results::Ownership::take_lock);

// frugal merge: checks that the shards come from one sweep specification and hold every scenario
// exactly once, then writes one sorted file. Throws InputError naming what is missing or doubled.
void merge_shards(const std::string& out, const std::vector<std::string>& shards, bool overwrite);

// Reads a result file for `command` (export, report): InputError, naming the command, if it
// cannot be read or is not a frugal result file.
results::ResultsFile read_frugal_file(const std::string& path, const std::string& command);

// frugal export --csv: one CSV per table (PREFIX-<table>.csv) and PREFIX-columns.csv listing every
// column's table, name, units and description. Returns the files written.
std::vector<std::string> export_csv(const std::string& path, const std::string& prefix,
                                    bool overwrite);

}  // namespace frugal::sim
