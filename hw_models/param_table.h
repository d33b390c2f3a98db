#pragma once
// A device kind's parameters, declared once. Each entry names a preset key with its dimension,
// range and description (the ParamSpec that presets are checked against and `frugal presets
// show` prints) and the member of the device's parameter struct it fills, so the struct is read
// from a preset by the table alone:
//
//   const ParamTable<GpuParams>& gpu_params() {
//     static const ParamTable<GpuParams> table({
//         param("tdp", Dimension::power, 1, 5000, "board power limit", &GpuParams::tdp_w),
//         param("sm_count", Dimension::dimensionless, 1, 1024, "SMs",
//         &GpuParams::sm_count).whole(),
//     });
//     return table;
//   }
//   GpuParams p = gpu_params().read(preset);
//
// Integer members (counts) and bool members (switches, 0 or 1) make whole-number parameters;
// `.whole()` makes a double member one too.

#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "hw_models/preset.h"

namespace frugal::hw {

template <typename Params>
struct ParamEntry {
  ParamSpec spec;
  std::function<void(Params&, double)> assign;  // stores a preset's SI value in the member
  ParamEntry whole() const {
    ParamEntry e = *this;
    e.spec.integer = true;
    return e;
  }
};

namespace detail {
template <typename T>
void store(T& member, double value) {
  if constexpr (std::is_same_v<T, bool>)
    member = value != 0;
  else
    member = static_cast<T>(value);
}
}  // namespace detail

// A parameter stored in `Params::*member` (double, an integer type or bool).
template <typename Params, typename T>
ParamEntry<Params> param(std::string name, units::Dimension dimension, double min, double max,
                         std::string description, T Params::*member) {
  static_assert(std::is_arithmetic_v<T>, "a preset parameter is a number");
  return {
      {std::move(name), dimension, min, max, std::move(description), !std::is_floating_point_v<T>},
      [member](Params& p, double value) { detail::store(p.*member, value); }};
}

// A parameter stored in a member of a member struct: `(Params::*outer).*inner`.
template <typename Params, typename Inner, typename T>
ParamEntry<Params> param(std::string name, units::Dimension dimension, double min, double max,
                         std::string description, Inner Params::*outer, T Inner::*inner) {
  static_assert(std::is_arithmetic_v<T>, "a preset parameter is a number");
  return {
      {std::move(name), dimension, min, max, std::move(description), !std::is_floating_point_v<T>},
      [outer, inner](Params& p, double value) { detail::store((p.*outer).*inner, value); }};
}

template <typename Params>
class ParamTable {
 public:
  explicit ParamTable(std::vector<ParamEntry<Params>> entries) : m_entries(std::move(entries)) {
    for (const ParamEntry<Params>& e : m_entries) m_specs.push_back(e.spec);
  }
  // The declarations, in order: what a preset of the kind must give.
  const std::vector<ParamSpec>& specs() const { return m_specs; }
  // Every member the table names, from the preset's values (checked when the preset was read).
  Params read(const Preset& preset) const {
    Params params{};
    for (const ParamEntry<Params>& e : m_entries) e.assign(params, preset.get(e.spec.name));
    return params;
  }

 private:
  std::vector<ParamEntry<Params>> m_entries;
  std::vector<ParamSpec> m_specs;
};

}  // namespace frugal::hw
