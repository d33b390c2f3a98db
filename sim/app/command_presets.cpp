#include <iomanip>
#include <iostream>

#include "hw_models/device.h"
#include "hw_models/preset.h"
#include "results/core/error.h"
#include "results/core/units.h"
#include "sim/app/commands.h"

namespace frugal::sim {

namespace po = boost::program_options;

using units::Dimension;
using units::format_si;

int command_presets(const std::vector<std::string>& args) {
  std::vector<std::string> words;
  bool as_ini = false;
  po::options_description options("Options");
  options.add_options()("words", po::value(&words), "")("ini", po::bool_switch(&as_ini), "")(
      "help,h", "show this help");
  po::positional_options_description positional;
  positional.add("words", -1);
  po::variables_map vm = parse(args, options, positional);
  if (vm.count("help")) {
    std::cout << "usage: frugal presets                  list the hardware presets\n"
                 "       frugal presets show NAME        every parameter of a preset, with its "
                 "unit and source\n"
                 "       frugal presets show NAME --ini  the same as a preset file, to copy and "
                 "edit (give it a new name; use it with --hw FILE.ini)\n";
    return 0;
  }
  notify_options(vm);
  if (words.empty()) {
    std::cout << std::left << std::setw(22) << "NAME" << std::setw(8) << "DEVICE"
              << "DESCRIPTION\n";
    for (const hw::Preset& p : hw::builtin_presets())
      std::cout << std::setw(22) << p.name() << std::setw(8) << p.device() << p.description()
                << (p.is_default() ? "  [default for --hw " + p.device() + "]" : "") << "\n";
    std::cout << "\ndevice kinds:\n";
    for (const hw::DeviceKind& k : hw::device_kinds())
      std::cout << "  " << std::setw(8) << k.name << k.description << "\n";
    return 0;
  }
  if (words.size() != 2 || words[0] != "show")
    throw InputError("expected 'frugal presets' or 'frugal presets show NAME'");
  const hw::Preset preset = hw::find_preset(words[1]);
  if (as_ini) {
    std::cout << preset.to_text();
    return 0;
  }
  std::cout << preset.name() << " (device " << preset.device() << ")\n"
            << preset.description() << "\nfrom " << preset.origin() << "\n\n";
  for (const hw::PresetParam& p : preset.params()) {
    std::cout << p.spec.name << " = " << p.text;
    const std::string si = format_si(p.value, p.spec.dimension);
    if (p.spec.dimension != Dimension::dimensionless && si != p.text)
      std::cout << "  (" << si << ")";
    std::cout << "\n    " << p.spec.description << "\n    source: " << p.source << "\n";
  }
  return 0;
}

}  // namespace frugal::sim
