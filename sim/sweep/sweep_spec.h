#pragma once
// A sweep: scenario options and preset parameters that take several values, expanded into the
// list of scenarios to run. The expansion (ids, order, seeds) depends only on the specification,
// never on how many workers run it or in which order they finish.
//
// Value syntax (docs/sweeps.md):
//   a,b,c            a list; a value containing a comma is quoted: "gpt:layers=2,d_model=64"
//   lo:hi:step       an inclusive arithmetic range (1:9:2 -> 1,3,5,7,9)
//   log:lo:hi:n      n values spaced evenly in log between lo and hi, both included
//   RANGE UNIT       a unit after a range applies to each value ("10:30:10 pJ/bit")
// Items mix freely: "8,16:64:16,128".

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/options.h"

namespace frugal::sim {

// Parses one axis's value text. `key` names the axis in error messages. Throws InputError for a
// malformed range, an unterminated quote or an empty list or item.
std::vector<std::string> parse_values(const std::string& text, const std::string& key);

struct SweepAxis {
  std::string key;  // a scenario option or hw.NAME
  std::vector<std::string> values;
  std::string origin;  // where it was given: "--set", "--batch", "sweep.ini:4"
};

struct SweepPart;

struct SweepSpec {
  std::vector<Setting> base;    // every scenario option's value when not swept (defaults resolved)
  std::vector<SweepAxis> axes;  // in the order given (a key at most once)
  std::vector<std::vector<std::string>> zips;  // groups of axis keys that vary together
  int64_t seeds = 1;                           // replicates of each point, with derived seeds
  // A study of several sweeps ([NAME] sections of a sweep file): each part is this spec with the
  // part's axes and zips added (a key the part gives replaces a file's top-level one; the command
  // line's win), the parts expanded one after another into one list. Empty: this spec alone.
  std::vector<SweepPart> parts;

  // Adds an axis; throws InputError if the key is unknown or already given.
  void add_axis(const std::string& key, const std::string& value_text, const std::string& origin);
  // Adds a --zip group ("a,b"); checked by expand().
  void add_zip(const std::string& keys, const std::string& origin);
  const SweepAxis* axis(const std::string& key) const;
  // Orders the axes (scenario options in their declaration order, then hw.NAME keys as given)
  // and moves single-valued axes of scenario options (not hw.NAME, not zipped) into `base`, so
  // that the same sweep given in another order, or `--batch 32` and `--set batch=32`, gives the
  // same specification.
  void normalize();

  // The keys that get a /scenarios column of their own: the axes', and with parts "part" and
  // every key a part gives (which may differ from part to part).
  std::vector<std::string> column_keys() const;

  // The resolved specification as text (base settings, axes with their expanded values, zips,
  // seeds): equal texts expand to equal scenario lists. Stored in result files and compared on
  // --resume and merge.
  std::string canonical() const;
};

struct SweepPart {
  std::string name;  // the section's
  SweepSpec spec;    // its axes and zips (base, seeds and parts unused)
};

struct SweepScenario {
  int64_t id = 0;         // position in the expansion
  int64_t point = 0;      // the parameter point (replicates of a point share it)
  int64_t replicate = 0;  // 0..seeds-1
  // The axes' values at this point (base settings excluded); with parts, ("part", NAME) and the
  // value of every column key (SweepSpec::column_keys).
  std::vector<Setting> settings;
  Scenario scenario;  // base + settings, seed derived for the replicate
};

// Seed of replicate `r` of a point whose seed option is `base` (SplitMix64 of both; replicate 0
// of a sweep without --seeds keeps `base`).
int64_t derive_seed(int64_t base, int64_t replicate);

// One parameter point of a sweep: what its replicates share.
struct SweepPoint {
  std::vector<Setting> settings;  // as SweepScenario::settings
  Scenario scenario;              // base + settings, with the point's own seed
};

// A sweep's scenarios, held one per point: replicate r of point p is scenario p x seeds + r, built
// on demand, so that --seeds 10000000 holds one point, not ten million scenarios.
struct Expansion {
  std::vector<SweepPoint> points;
  int64_t seeds = 1;
  int64_t size() const { return static_cast<int64_t>(points.size()) * seeds; }
  const SweepPoint& point_of(int64_t id) const { return points[static_cast<size_t>(id / seeds)]; }
  // Scenario `id` (0 <= id < size()), and its seed alone.
  SweepScenario scenario(int64_t id) const;
  int64_t seed(int64_t id) const;
};

// Expands the cartesian product of the axes (zipped axes as one axis), each point repeated
// `seeds` times: the replicates of a point are consecutive, and the last axis varies fastest
// from one point to the next. With parts, each part's expansion follows the previous one's (ids
// and points continue). Throws InputError for an empty axis, a zip of unknown keys or unequal
// lengths, a scenario whose options do not parse, or points too many to hold in the memory this
// process may use (counted before any is built).
Expansion expand_points(const SweepSpec& spec);
// Every scenario of expand_points (for small sweeps and tests).
std::vector<SweepScenario> expand(const SweepSpec& spec);

}  // namespace frugal::sim
