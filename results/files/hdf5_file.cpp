#include "results/files/hdf5_file.h"

#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "results/core/error.h"

namespace frugal::results {
namespace {

// Owns one HDF5 identifier and closes it with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : m_id(id), m_closer(closer) {}
  Handle(Handle&& other) noexcept : m_id(other.m_id), m_closer(other.m_closer) { other.m_id = -1; }
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      m_id = other.m_id;
      m_closer = other.m_closer;
      other.m_id = -1;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  hid_t get() const { return m_id; }
  bool valid() const { return m_id >= 0; }
  void reset() { close(); }
  // Returns false if the close failed (e.g. flushing a file to a full disk).
  bool close() {
    const bool ok = m_id < 0 || !m_closer || m_closer(m_id) >= 0;
    m_id = -1;
    return ok;
  }

 private:
  hid_t m_id = -1;
  Closer m_closer = nullptr;
};

void silence_hdf5_error_stack() {
  static const bool done = [] {
    // A file whose close failed (disk full) stays open inside HDF5; its exit handler would try
    // again and crash. frugal closes what it opens, so the handler is not needed.
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // we report errors ourselves, in one line
    return true;
  }();
  (void)done;
}

// An HDF5 call failed: names what it was doing and, where the system said why (a full disk, a
// file-size limit, a quota), the cause.
[[noreturn]] void hdf5_failure(const std::string& what) {
  const int error = errno;
  std::string cause;
  if (error == ENOSPC || error == EFBIG || error == EDQUOT)
    cause = ": " + std::string(std::strerror(error)) + " (disk full?)";
  throw IoError("HDF5: cannot " + what + cause);
}

hid_t check(hid_t id, const std::string& what) {
  if (id < 0) hdf5_failure(what);
  return id;
}

void check_status(herr_t status, const std::string& what) {
  if (status < 0) hdf5_failure(what);
}

Handle utf8_string_type() {
  Handle type(check(H5Tcopy(H5T_C_S1), "copy string type"), H5Tclose);
  check_status(H5Tset_size(type.get(), H5T_VARIABLE), "make string type variable-length");
  check_status(H5Tset_cset(type.get(), H5T_CSET_UTF8), "set UTF-8 string type");
  return type;
}

void write_attribute(hid_t object, const std::string& name, const AttributeValue& value) {
  Handle space(check(H5Screate(H5S_SCALAR), "create scalar space"), H5Sclose);
  if (const auto* i = std::get_if<int64_t>(&value)) {
    Handle attr(check(H5Acreate2(object, name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT,
                                 H5P_DEFAULT),
                      "create attribute " + name),
                H5Aclose);
    check_status(H5Awrite(attr.get(), H5T_NATIVE_INT64, i), "write attribute " + name);
  } else if (const auto* d = std::get_if<double>(&value)) {
    Handle attr(check(H5Acreate2(object, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT,
                                 H5P_DEFAULT),
                      "create attribute " + name),
                H5Aclose);
    check_status(H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, d), "write attribute " + name);
  } else {
    const std::string& s = std::get<std::string>(value);
    Handle type = utf8_string_type();
    Handle attr(
        check(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
              "create attribute " + name),
        H5Aclose);
    const char* data = s.c_str();
    check_status(H5Awrite(attr.get(), type.get(), &data), "write attribute " + name);
  }
}

void write_string_list_attribute(hid_t object, const std::string& name,
                                 const std::vector<std::string>& values) {
  const hsize_t n = values.size();
  Handle space(check(H5Screate_simple(1, &n, nullptr), "create space"), H5Sclose);
  Handle type = utf8_string_type();
  Handle attr(
      check(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
            "create attribute " + name),
      H5Aclose);
  std::vector<const char*> pointers;
  for (const std::string& v : values) pointers.push_back(v.c_str());
  check_status(H5Awrite(attr.get(), type.get(), pointers.data()), "write attribute " + name);
}

hsize_t chunk_rows(ColumnType type) { return type == ColumnType::string ? 256 : 4096; }

Handle create_column_dataset(hid_t group, const std::string& name, ColumnType type) {
  const hsize_t zero = 0;
  const hsize_t unlimited = H5S_UNLIMITED;
  Handle space(check(H5Screate_simple(1, &zero, &unlimited), "create space"), H5Sclose);
  Handle plist(check(H5Pcreate(H5P_DATASET_CREATE), "create property list"), H5Pclose);
  const hsize_t chunk = chunk_rows(type);
  check_status(H5Pset_chunk(plist.get(), 1, &chunk), "set chunking");
  Handle file_type;
  switch (type) {
    case ColumnType::int64:
      file_type = Handle(H5Tcopy(H5T_STD_I64LE), H5Tclose);
      break;
    case ColumnType::float64:
      file_type = Handle(H5Tcopy(H5T_IEEE_F64LE), H5Tclose);
      break;
    case ColumnType::string:
      file_type = utf8_string_type();
      break;
  }
  if (type != ColumnType::string) {  // deflate only helps fixed-size data
    check_status(H5Pset_shuffle(plist.get()), "set shuffle filter");
    check_status(H5Pset_deflate(plist.get(), 4), "set deflate filter");
  }
  return Handle(check(H5Dcreate2(group, name.c_str(), file_type.get(), space.get(), H5P_DEFAULT,
                                 plist.get(), H5P_DEFAULT),
                      "create dataset " + name),
                H5Dclose);
}

// Appends `count` values from `data` (of memory type `mem_type`) to the end of a 1-D dataset.
void append_values(hid_t dataset, hid_t mem_type, const void* data, hsize_t count) {
  if (count == 0) return;
  Handle space(check(H5Dget_space(dataset), "get dataspace"), H5Sclose);
  hsize_t current = 0;
  H5Sget_simple_extent_dims(space.get(), &current, nullptr);
  const hsize_t total = current + count;
  check_status(H5Dset_extent(dataset, &total), "extend dataset");
  Handle file_space(check(H5Dget_space(dataset), "get dataspace"), H5Sclose);
  check_status(
      H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &current, nullptr, &count, nullptr),
      "select rows");
  Handle mem_space(check(H5Screate_simple(1, &count, nullptr), "create space"), H5Sclose);
  check_status(H5Dwrite(dataset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data),
               "write rows");
}

void append_column(hid_t dataset, const Column& column) {
  const hsize_t n = column.size();
  switch (column.spec().type) {
    case ColumnType::int64:
      append_values(dataset, H5T_NATIVE_INT64, column.ints().data(), n);
      break;
    case ColumnType::float64:
      append_values(dataset, H5T_NATIVE_DOUBLE, column.floats().data(), n);
      break;
    case ColumnType::string: {
      std::vector<const char*> pointers;
      pointers.reserve(n);
      for (const std::string& s : column.strings()) pointers.push_back(s.c_str());
      Handle type = utf8_string_type();
      append_values(dataset, type.get(), pointers.data(), n);
      break;
    }
  }
}

int64_t dataset_rows(hid_t dataset) {
  Handle space(check(H5Dget_space(dataset), "get dataspace"), H5Sclose);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space.get(), &n, nullptr);
  return static_cast<int64_t>(n);
}

bool fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

void check_output_path(const std::string& path, bool overwrite) {
  if (path.empty()) throw InputError("output path is empty (expected a file name such as out.h5)");
  if (path.back() == '/')
    throw InputError("output path '" + path + "' is a directory (expected a file name)");
  const std::string dir = directory_of(path);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw InputError("output directory '" + dir + "' does not exist (for output file '" + path +
                     "')");
  if (::access(dir.c_str(), W_OK) != 0)
    throw InputError("output directory '" + dir + "' is not writable (for output file '" + path +
                     "')");
  // A process that holds the lock itself is the sweep whose journal this is.
  if (OutputLock::check_not_held_elsewhere(path).empty()) check_no_interrupted_sweep(path);
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode))
      throw InputError("output path '" + path + "' is a directory (expected a file name)");
    if (!overwrite)
      throw InputError("output file '" + path +
                       "' already exists (refusing to overwrite a result; use --force)");
  }
}

void check_no_interrupted_sweep(const std::string& path) {
  struct stat st {};
  if (::stat((path + ".journal").c_str(), &st) == 0)
    throw InputError("'" + path + ".journal' exists: an interrupted sweep of '" + path +
                     "' (frugal sweep --resume with the same options continues it; delete " + path +
                     ".journal to start over)");
}

struct ResultsWriter::Impl {
  Handle file;
  struct GroupState {
    Handle group;
    std::vector<Handle> datasets;  // in column order
    Handle row_scale;              // only when the writer made a `row` scale
  };
  std::map<std::string, GroupState> groups;
};

ResultsWriter::ResultsWriter(std::string path, bool overwrite, std::string partial_suffix,
                             Ownership ownership)
    : m_lock(ownership == Ownership::take_lock ? std::make_unique<OutputLock>(path) : nullptr),
      m_path(std::move(path)),
      m_partial_path(m_path + partial_suffix),
      m_impl(std::make_unique<Impl>()) {
  silence_hdf5_error_stack();
  check_output_path(m_path, overwrite);
  // PATH's lock is held: a partial file here is a killed process's, with nothing complete in it.
  std::remove(m_partial_path.c_str());
  const hid_t file = H5Fcreate(m_partial_path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0)
    throw InputError("cannot create result file '" + m_partial_path +
                     "' (is the name too long, or the disk full?)");
  m_impl->file = Handle(file, H5Fclose);
  m_partial_identity = FileIdentity::of(m_partial_path);
}

ResultsWriter::~ResultsWriter() {
  if (m_committed || m_keep_partial) {
    m_impl.reset();
    return;
  }
  m_impl.reset();  // close every handle before removing the file
  if (FileIdentity::of(m_partial_path) == m_partial_identity) std::remove(m_partial_path.c_str());
}

void ResultsWriter::check_owned() const {
  if (FileIdentity::of(m_partial_path) != m_partial_identity)
    throw IoError("'" + m_partial_path +
                  "' was deleted or replaced by another process while this one was writing it " +
                  "(its lock is '" + m_path + ".lock'); leaving that file alone");
}

void ResultsWriter::set_root_attributes(const std::vector<Attribute>& attributes) {
  for (const Attribute& a : attributes) {
    if (H5Aexists(m_impl->file.get(), a.name.c_str()) > 0)
      H5Adelete(m_impl->file.get(), a.name.c_str());
    write_attribute(m_impl->file.get(), a.name, a.value);
  }
}

void ResultsWriter::set_group_attributes(const std::string& group,
                                         const std::vector<Attribute>& attributes) {
  const hid_t file = m_impl->file.get();
  Handle g(H5Lexists(file, group.c_str(), H5P_DEFAULT) > 0
               ? H5Gopen2(file, group.c_str(), H5P_DEFAULT)
               : H5Gcreate2(file, group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
           H5Gclose);
  check(g.get(), "create group " + group);
  for (const Attribute& a : attributes) {
    if (H5Aexists(g.get(), a.name.c_str()) > 0) H5Adelete(g.get(), a.name.c_str());
    write_attribute(g.get(), a.name, a.value);
  }
}

void ResultsWriter::write_table(const Table& table, const std::string& scale_column) {
  const size_t rows = table.rows();  // validates equal column lengths
  auto it = m_impl->groups.find(table.name());
  if (it == m_impl->groups.end()) {
    Impl::GroupState state;
    state.group = Handle(check(H5Gcreate2(m_impl->file.get(), table.name().c_str(), H5P_DEFAULT,
                                          H5P_DEFAULT, H5P_DEFAULT),
                               "create group " + table.name()),
                         H5Gclose);
    std::vector<std::string> names;
    for (const Column& column : table.columns()) {
      const ColumnSpec& spec = column.spec();
      Handle dataset = create_column_dataset(state.group.get(), spec.name, spec.type);
      // Labels (strings) carry an empty unit: present, so every column has one, but no unit.
      const std::string units = spec.units.empty() ? "1" : spec.units;
      write_attribute(dataset.get(), "units",
                      spec.type == ColumnType::string ? std::string() : units);
      write_attribute(dataset.get(), "description", spec.description);
      names.push_back(spec.name);
      state.datasets.push_back(std::move(dataset));
    }
    hid_t scale = -1;
    if (scale_column.empty()) {
      state.row_scale = create_column_dataset(state.group.get(), "row", ColumnType::int64);
      write_attribute(state.row_scale.get(), "units", std::string("1"));
      write_attribute(state.row_scale.get(), "description",
                      std::string("row index of this table (dimension scale)"));
      scale = state.row_scale.get();
      check_status(H5DSset_scale(scale, "row"), "make row a dimension scale");
    } else {
      for (size_t i = 0; i < table.columns().size(); ++i)
        if (table.columns()[i].spec().name == scale_column) scale = state.datasets[i].get();
      if (scale < 0)
        throw std::logic_error("table '" + table.name() + "' has no column '" + scale_column +
                               "' to use as its dimension scale");
      check_status(H5DSset_scale(scale, scale_column.c_str()), "set dimension scale");
    }
    for (const Handle& dataset : state.datasets)
      if (dataset.get() != scale)
        check_status(H5DSattach_scale(dataset.get(), scale, 0), "attach dimension scale");
    write_string_list_attribute(state.group.get(), "colnames", names);
    write_attribute(state.group.get(), "description", table.description());
    it = m_impl->groups.emplace(table.name(), std::move(state)).first;
  }
  Impl::GroupState& state = it->second;
  if (state.datasets.size() != table.columns().size())
    throw std::logic_error("table '" + table.name() + "': schema changed between writes");
  if (state.row_scale.valid()) {
    const int64_t first = dataset_rows(state.row_scale.get());
    std::vector<int64_t> row_ids(rows);
    for (size_t i = 0; i < rows; ++i) row_ids[i] = first + static_cast<int64_t>(i);
    append_values(state.row_scale.get(), H5T_NATIVE_INT64, row_ids.data(), rows);
  }
  for (size_t i = 0; i < table.columns().size(); ++i)
    append_column(state.datasets[i].get(), table.columns()[i]);
}

void ResultsWriter::flush() {
  check_status(H5Fflush(m_impl->file.get(), H5F_SCOPE_GLOBAL), "flush " + m_partial_path);
  check_owned();
}

void ResultsWriter::commit() {
  flush();
  m_impl->groups.clear();
  if (!m_impl->file.close() || !fsync_path(m_partial_path, O_RDONLY))
    throw IoError("cannot finish writing '" + m_partial_path + "' (disk full?)");
  check_owned();  // rename only the file this writer created
  if (std::rename(m_partial_path.c_str(), m_path.c_str()) != 0)
    throw IoError("cannot rename '" + m_partial_path + "' to '" + m_path +
                  "': " + std::strerror(errno));
  fsync_path(directory_of(m_path), O_RDONLY | O_DIRECTORY);
  m_committed = true;
}

std::string ResultsFile::string_attribute(const std::string& group, const std::string& name) const {
  const std::vector<Attribute>* attributes = &root_attributes;
  if (!group.empty()) {
    const auto it = group_attributes.find(group);
    if (it == group_attributes.end()) return {};
    attributes = &it->second;
  }
  for (const Attribute& a : *attributes)
    if (a.name == name) {
      if (const auto* s = std::get_if<std::string>(&a.value)) return *s;
      if (const auto* i = std::get_if<int64_t>(&a.value)) return std::to_string(*i);
    }
  return {};
}

void ResultsWriter::close_and_keep() {
  flush();
  m_impl->groups.clear();
  const bool closed = m_impl->file.close();
  m_keep_partial = true;
  if (!closed || !fsync_path(m_partial_path, O_RDONLY))
    throw IoError("cannot finish writing '" + m_partial_path + "' (disk full?)");
}

const AttributeValue& ResultsFile::attribute(const std::string& name) const {
  for (const Attribute& a : root_attributes)
    if (a.name == name) return a.value;
  throw std::out_of_range("result file has no root attribute '" + name + "'");
}

// ---- reading -------------------------------------------------------------------------------

namespace {

std::string read_string_attribute(hid_t object, const char* name) {
  if (H5Aexists(object, name) <= 0) return {};
  Handle attr(check(H5Aopen(object, name, H5P_DEFAULT), std::string("open attribute ") + name),
              H5Aclose);
  Handle type = utf8_string_type();
  char* value = nullptr;
  check_status(H5Aread(attr.get(), type.get(), &value), std::string("read attribute ") + name);
  std::string result = value ? value : "";
  H5free_memory(value);
  return result;
}

std::vector<std::string> read_string_list_attribute(hid_t object, const char* name) {
  Handle attr(check(H5Aopen(object, name, H5P_DEFAULT), std::string("open attribute ") + name),
              H5Aclose);
  Handle space(check(H5Aget_space(attr.get()), "get attribute space"), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  std::vector<char*> raw(static_cast<size_t>(n), nullptr);
  Handle type = utf8_string_type();
  check_status(H5Aread(attr.get(), type.get(), raw.data()), std::string("read attribute ") + name);
  std::vector<std::string> values;
  for (char* s : raw) {
    values.emplace_back(s ? s : "");
    H5free_memory(s);
  }
  return values;
}

struct AttributeCollector {
  std::vector<Attribute>* out;
};

herr_t collect_attribute(hid_t object, const char* name, const H5A_info_t*, void* data) {
  auto* out = static_cast<AttributeCollector*>(data)->out;
  Handle attr(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
  if (!attr.valid()) return -1;
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  switch (H5Tget_class(type.get())) {
    case H5T_INTEGER: {
      int64_t v = 0;
      if (H5Aread(attr.get(), H5T_NATIVE_INT64, &v) < 0) return -1;
      out->push_back({name, v});
      break;
    }
    case H5T_FLOAT: {
      double v = 0;
      if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &v) < 0) return -1;
      out->push_back({name, v});
      break;
    }
    case H5T_STRING:
      out->push_back({name, read_string_attribute(object, name)});
      break;
    default:
      break;  // attribute kinds frugal does not write are skipped
  }
  return 0;
}

template <typename T>
Column read_numeric(hid_t dataset, hid_t mem_type, const ColumnSpec& spec, size_t n) {
  Column column(spec);
  std::vector<T> values(n);
  if (n)
    check_status(H5Dread(dataset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
                 "read " + spec.name);
  for (T v : values) column.push(v);
  return column;
}

Column read_column(hid_t group, const std::string& name) {
  Handle dataset(check(H5Dopen2(group, name.c_str(), H5P_DEFAULT), "open dataset " + name),
                 H5Dclose);
  Handle type(check(H5Dget_type(dataset.get()), "get type of " + name), H5Tclose);
  ColumnSpec spec;
  spec.name = name;
  spec.description = read_string_attribute(dataset.get(), "description");
  spec.units = read_string_attribute(dataset.get(), "units");
  const auto n = static_cast<size_t>(dataset_rows(dataset.get()));
  switch (H5Tget_class(type.get())) {
    case H5T_INTEGER:
      spec.type = ColumnType::int64;
      return read_numeric<int64_t>(dataset.get(), H5T_NATIVE_INT64, spec, n);
    case H5T_FLOAT:
      spec.type = ColumnType::float64;
      return read_numeric<double>(dataset.get(), H5T_NATIVE_DOUBLE, spec, n);
    case H5T_STRING: {
      spec.type = ColumnType::string;
      Column column(spec);
      std::vector<char*> values(n, nullptr);
      Handle mem_type = utf8_string_type();
      if (n) {
        check_status(
            H5Dread(dataset.get(), mem_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
            "read " + name);
      }
      for (char* s : values) column.push(std::string(s ? s : ""));
      if (n) {
        Handle space(H5Dget_space(dataset.get()), H5Sclose);
        H5Dvlen_reclaim(mem_type.get(), space.get(), H5P_DEFAULT, values.data());
      }
      return column;
    }
    default:
      throw IoError("dataset '" + name + "' has a type frugal does not read");
  }
}

struct GroupCollector {
  std::vector<std::string> names;
};

herr_t collect_group(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<GroupCollector*>(data)->names.emplace_back(name);
  return 0;
}

}  // namespace

ResultsFile read_results(const std::string& path) {
  silence_hdf5_error_stack();
  const hid_t file_id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file_id < 0) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
      throw IoError("cannot open result file '" + path + "': " + std::strerror(errno));
    if (S_ISDIR(st.st_mode))
      throw IoError("cannot open result file '" + path + "': it is a directory");
    if (::access(path.c_str(), R_OK) != 0)
      throw IoError("cannot open result file '" + path + "': " + std::strerror(errno));
    throw IoError("cannot open result file '" + path + "': not an HDF5 file");
  }
  Handle file(file_id, H5Fclose);
  ResultsFile result;
  AttributeCollector attrs{&result.root_attributes};
  hsize_t index = 0;
  check_status(
      H5Aiterate2(file.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_attribute, &attrs),
      "read root attributes of " + path);
  GroupCollector groups;
  check_status(H5Literate(file.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_group, &groups),
               "list groups of " + path);
  for (const std::string& name : groups.names) {
    H5O_info_t info;
    if (H5Oget_info_by_name(file.get(), name.c_str(), &info, H5P_DEFAULT) < 0 ||
        info.type != H5O_TYPE_GROUP)
      continue;
    Handle group(check(H5Gopen2(file.get(), name.c_str(), H5P_DEFAULT), "open group " + name),
                 H5Gclose);
    if (H5Aexists(group.get(), "colnames") <= 0) {
      AttributeCollector group_attrs{&result.group_attributes[name]};
      hsize_t at = 0;
      check_status(H5Aiterate2(group.get(), H5_INDEX_NAME, H5_ITER_INC, &at, collect_attribute,
                               &group_attrs),
                   "read attributes of group " + name);
      continue;
    }
    Table table(name, read_string_attribute(group.get(), "description"));
    std::vector<Column> columns;
    for (const std::string& column : read_string_list_attribute(group.get(), "colnames"))
      columns.push_back(read_column(group.get(), column));
    for (const Column& column : columns) table.add_column(column.spec());
    for (const Column& column : columns) table.column(column.spec().name).append(column);
    result.tables.emplace(name, std::move(table));
  }
  return result;
}

}  // namespace frugal::results
