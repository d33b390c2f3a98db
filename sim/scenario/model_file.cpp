#include "sim/scenario/model_file.h"

#include <cmath>
#include <filesystem>
#include <system_error>
#include <utility>

#include "results/core/build_info.h"
#include "results/core/error.h"
#include "results/files/hdf5_file.h"
#include "results/files/table.h"

namespace frugal::sim {

namespace {

using results::ColumnSpec;
using results::ColumnType;

constexpr const char* kFormat = "frugal model";
constexpr int64_t kFormatVersion = 1;

std::string shape_text(Eigen::Index rows, Eigen::Index cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

}  // namespace

std::vector<SavedLayer> snapshot(const algorithms::Network& net) {
  std::vector<SavedLayer> layers;
  for (const algorithms::Layer& l : net.layers())
    if (l.trainable()) layers.push_back({l.name, l.w, l.b});
  return layers;
}

void restore(algorithms::Network& net, const std::vector<SavedLayer>& layers,
             const std::string& source, const std::string& model) {
  size_t next = 0;
  for (algorithms::Layer& l : net.layers()) {
    if (!l.trainable()) continue;
    if (next == layers.size())
      throw InputError(source + " holds " + std::to_string(layers.size()) +
                       " trainable layers but model " + model + " has more: expected a model " +
                       "saved from the same spec");
    const SavedLayer& s = layers[next++];
    if (s.name != l.name || s.w.rows() != l.w.rows() || s.w.cols() != l.w.cols() ||
        s.b.size() != l.b.size())
      throw InputError(source + ": layer " + s.name + " is " + shape_text(s.w.rows(), s.w.cols()) +
                       " but model " + model + " has " + l.name + " " +
                       shape_text(l.w.rows(), l.w.cols()) +
                       ": expected a model saved from the same spec");
    l.w = s.w;
    l.b = s.b;
  }
  if (next != layers.size())
    throw InputError(source + " holds " + std::to_string(layers.size()) +
                     " trainable layers but model " + model + " has " + std::to_string(next) +
                     ": expected a model saved from the same spec");
}

void write_model_file(const std::string& path, const ModelFile& file, bool overwrite) {
  results::Table layers("layers", "the trainable layers, in order; their values are in /values");
  layers.add_column({"name", ColumnType::string, "", "the layer (graph op) name"});
  layers.add_column({"rows", ColumnType::int64, "1", "rows of W (outputs or output channels)"});
  layers.add_column({"cols", ColumnType::int64, "1",
                     "columns of W (inputs, or input channels x kernel height x kernel width)"});
  layers.add_column({"bias", ColumnType::int64, "1", "values of b (0: no bias)"});
  layers.add_column({"offset", ColumnType::int64, "1",
                     "where the layer starts in /values: W column-major (rows x cols), then b"});
  results::Table values("values", "every weight and bias, layer after layer");
  results::Column& value =
      values.add_column({"value", ColumnType::float64, "1", "a weight or bias (fp32, exact)"});
  int64_t offset = 0;
  for (const SavedLayer& l : file.layers) {
    layers.append_row({{"name", l.name},
                       {"rows", static_cast<int64_t>(l.w.rows())},
                       {"cols", static_cast<int64_t>(l.w.cols())},
                       {"bias", static_cast<int64_t>(l.b.size())},
                       {"offset", offset}});
    for (Eigen::Index i = 0; i < l.w.size(); ++i) value.push(static_cast<double>(l.w.data()[i]));
    for (Eigen::Index i = 0; i < l.b.size(); ++i) value.push(static_cast<double>(l.b[i]));
    offset += static_cast<int64_t>(l.w.size() + l.b.size());
  }
  results::ResultsWriter writer(path, overwrite);
  writer.set_root_attributes({{"format", std::string(kFormat)},
                              {"format_version", kFormatVersion},
                              {"model", file.model},
                              {"rule", file.rule},
                              {"dataset", file.dataset},
                              {"epochs", file.epochs},
                              {"test_accuracy", file.test_accuracy},
                              {"training_energy_j", file.training_energy_j},
                              {"hw", file.hw},
                              {"frugal_version", version()}});
  writer.write_table(layers);
  writer.write_table(values);
  writer.commit();
}

ModelFile read_model_file(const std::string& path) {
  const std::string what = "warm-start model '" + path + "'";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw InputError(what + " does not exist; expected a file written by --save-model");
  results::ResultsFile f;
  try {
    f = results::read_results(path);
  } catch (const IoError& e) {
    throw InputError(what + ": " + e.what() + "; expected a file written by --save-model");
  }
  const auto text = [&](const std::string& name) { return f.string_attribute("", name); };
  const auto number = [&](const std::string& name) -> double {
    try {
      const auto& v = f.attribute(name);
      if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
      if (const auto* d = std::get_if<double>(&v)) return *d;
    } catch (const std::exception&) {
    }
    throw InputError(what + " lacks the number attribute '" + name +
                     "'; expected a file written by --save-model");
  };
  if (text("format") != kFormat || !f.tables.count("layers") || !f.tables.count("values"))
    throw InputError(what + " is not a frugal model file; expected a file written by --save-model");
  if (number("format_version") != static_cast<double>(kFormatVersion))
    throw InputError(what + " has format version " + std::to_string(number("format_version")) +
                     "; this frugal reads version " + std::to_string(kFormatVersion));
  ModelFile file;
  file.model = text("model");
  file.rule = text("rule");
  file.dataset = text("dataset");
  file.hw = text("hw");
  file.epochs = static_cast<int64_t>(number("epochs"));
  file.test_accuracy = number("test_accuracy");
  file.training_energy_j = number("training_energy_j");
  try {
    const results::Table& layers = f.tables.at("layers");
    const std::vector<double>& values = f.tables.at("values").column("value").floats();
    const auto& names = layers.column("name").strings();
    const auto& rows = layers.column("rows").ints();
    const auto& cols = layers.column("cols").ints();
    const auto& bias = layers.column("bias").ints();
    const auto& offsets = layers.column("offset").ints();
    for (size_t i = 0; i < layers.rows(); ++i) {
      const int64_t r = rows[i], c = cols[i], n = bias[i], at = offsets[i];
      if (r < 1 || c < 1 || n < 0 || at < 0 || at > static_cast<int64_t>(values.size()) ||
          r * c + n > static_cast<int64_t>(values.size()) - at)
        throw InputError(what + ": layer " + names[i] + "'s sizes do not fit its " +
                         std::to_string(values.size()) + " values");
      SavedLayer l{names[i], algorithms::Matrix(r, c), algorithms::Vector(n)};
      for (int64_t k = 0; k < r * c; ++k) l.w.data()[k] = static_cast<float>(values[at + k]);
      for (int64_t k = 0; k < n; ++k) l.b[k] = static_cast<float>(values[at + r * c + k]);
      if (!l.w.allFinite() || !l.b.allFinite())
        throw InputError(what + ": layer " + names[i] + " holds values that are not finite");
      file.layers.push_back(std::move(l));
    }
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw InputError(what + " is malformed (" + e.what() + "); expected a file written by " +
                     "--save-model");
  }
  if (file.layers.empty()) throw InputError(what + " holds no layers");
  return file;
}

}  // namespace frugal::sim
