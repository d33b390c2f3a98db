#pragma once

namespace frugal::algorithms {

// How the learning signal reaches the layers below the output (docs/references.md#rule-costs),
// for the cost face (backward.h) and the functional face (functional/network.h) alike.
enum class ErrorSignal {
  transpose_weights,  // bp: Wᵀδ
  random_matrices,    // fa: Bδ, B fixed and random, shaped like W
  direct_error,       // dfa: B_l e at each hidden layer's input (its output's error)
  direct_label,       // drtp: B_l y* (a column lookup) at each hidden layer, the output keeps e
};

}  // namespace frugal::algorithms
