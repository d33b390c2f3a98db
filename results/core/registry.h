#pragma once
// A registry of named things (model families, learning rules, device kinds), filled at static
// initialisation by the registration macro in each implementing file. Lookups of unknown names
// throw InputError listing what is known.

#include <stdexcept>
#include <string>
#include <vector>

#include "results/core/error.h"

namespace frugal {

// Contract: Info has a `std::string name` member.
template <typename Info>
class Registry {
 public:
  explicit Registry(std::string what) : m_what(std::move(what)) {}

  bool add(Info info) {
    if (find_or_null(info.name))
      throw std::logic_error(m_what + " '" + info.name + "' registered twice");
    m_items.push_back(std::move(info));
    return true;
  }

  const Info* find_or_null(const std::string& name) const {
    for (const Info& item : m_items)
      if (item.name == name) return &item;
    return nullptr;
  }

  const Info& find(const std::string& name) const {
    if (const Info* item = find_or_null(name)) return *item;
    throw InputError("unknown " + m_what + " '" + name + "' (known: " + known() + ")");
  }

  std::string known() const {
    std::string names;
    for (const Info& item : m_items) names += (names.empty() ? "" : ", ") + item.name;
    return names;
  }

  const std::vector<Info>& all() const { return m_items; }

 private:
  std::string m_what;
  std::vector<Info> m_items;
};

}  // namespace frugal
