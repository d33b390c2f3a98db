#pragma once
// HDF5 result files: one group per table, one 1-D dataset per column with `units` and
// `description` attributes, the columns of a group sharing one dimension scale (so that h5py,
// pandas and xarray with engine="h5netcdf" read them without tricks), and provenance as root
// attributes. Strings are variable-length UTF-8. See docs/results-schema.md.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "results/files/output_lock.h"
#include "results/files/table.h"

namespace frugal::results {

using AttributeValue = std::variant<int64_t, double, std::string>;
struct Attribute {
  std::string name;
  AttributeValue value;
};

// Checks, before any work is done, that `path` could be created: its directory exists and is
// writable, no other process is writing it (output_lock.h: the error names that process), no
// interrupted sweep's journal lies beside it, and the file does not exist unless `overwrite`.
// Throws InputError naming the problem. A process that holds PATH's lock itself passes the lock
// and journal checks (they are its own files).
void check_output_path(const std::string& path, bool overwrite);

// Throws InputError if PATH.journal exists: an interrupted sweep's, which --resume continues.
void check_no_interrupted_sweep(const std::string& path);

// Whether a writer takes PATH's lock (output_lock.h) or its caller already holds it (a sweep,
// which owns PATH, its journal and its partial file for the whole run).
enum class Ownership { take_lock, lock_held };

// Writes a result file crash-safely. Everything goes to PATH.partial (PATH + partial_suffix);
// commit() flushes, closes, fsyncs and renames it to PATH (then fsyncs the directory), having
// checked that PATH.partial is still the file this writer created. A writer destroyed without
// commit() deletes its partial file, so a failed run leaves nothing behind. A partial file left by
// a killed process (no one holds the lock) is deleted first: it never held a complete result.
class ResultsWriter {
 public:
  ResultsWriter(std::string path, bool overwrite, std::string partial_suffix = ".partial",
                Ownership ownership = Ownership::take_lock);
  ~ResultsWriter();
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;

  void set_root_attributes(const std::vector<Attribute>& attributes);
  // Attributes of group /<group> (created if needed; a group of attributes only, e.g. provenance).
  void set_group_attributes(const std::string& group, const std::vector<Attribute>& attributes);

  // Appends the table's rows to group /<table.name()>, creating it (and its columns) on first use.
  // `scale_column` names the column that becomes the group's dimension scale (e.g. scenario_id);
  // when empty, an int64 `row` column 0..N-1 is written as the scale.
  void write_table(const Table& table, const std::string& scale_column = {});

  // Writes what HDF5 holds to the disk. Throws IoError if PATH.partial was deleted or replaced by
  // another process meanwhile.
  void flush();
  void commit();
  // Flushes and closes the file but keeps PATH.partial (an interrupted sweep, to --resume).
  void close_and_keep();

  const std::string& path() const { return m_path; }
  const std::string& partial_path() const { return m_partial_path; }

 private:
  struct Impl;
  void check_owned() const;
  std::unique_ptr<OutputLock> m_lock;  // first: released last, after the file is closed
  std::string m_path;
  std::string m_partial_path;
  FileIdentity m_partial_identity;  // the partial file as created
  std::unique_ptr<Impl> m_impl;
  bool m_committed = false;
  bool m_keep_partial = false;  // set by close_and_keep()
};

struct ResultsFile {
  std::vector<Attribute> root_attributes;
  std::map<std::string, Table> tables;  // by group name
  // Attributes of the groups that are not tables (e.g. /provenance).
  std::map<std::string, std::vector<Attribute>> group_attributes;

  const AttributeValue& attribute(const std::string& name) const;
  // A string attribute of group `group` ("" for the root); "" if absent.
  std::string string_attribute(const std::string& group, const std::string& name) const;
};

// Reads every table group of a result file (columns in `colnames` order, with units and
// descriptions) and the root attributes. Throws IoError if the file cannot be read.
ResultsFile read_results(const std::string& path);

}  // namespace frugal::results
