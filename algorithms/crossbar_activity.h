#pragma once
// What training on a chip whose weights are conductances (an analog crossbar) measured of its
// updates and reads, averaged over the training. A step's cost is built from these where
// training measured them, and from the preset's assumptions where they are NaN.

#include <cmath>
#include <limits>

namespace frugal::algorithms {

struct CrossbarActivity {
  // Programming pulses per weight and update.
  double pulses = std::numeric_limits<double>::quiet_NaN();
  // Pulse slots a crossbar row took per update: a row (one input line) is pulsed at once, its
  // devices in parallel, so it takes as many slots as its most-pulsed weight.
  double row_slots = std::numeric_limits<double>::quiet_NaN();
  // Slots per update in which a whole array was pulsed at once (per-sample stochastic pulse
  // trains, their lengths summed over the batch; 0 for per-batch updates).
  double array_slots = std::numeric_limits<double>::quiet_NaN();
  // Extra reads per input vector read that bound management took (an input read again at a
  // lower amplitude when its outputs would clip).
  double rereads = std::numeric_limits<double>::quiet_NaN();

  // Whether training fired pulses to measure (else every update figure is the preset's).
  bool measured() const { return !std::isnan(pulses); }
};

}  // namespace frugal::algorithms
