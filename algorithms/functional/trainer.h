#pragma once
// The functional face of the learning rules: really training a network (Eigen, one thread,
// seeded and deterministic) to measure accuracy, not assume it. The rule's learner
// (LearningRule::learner) does each step through a Numerics (ideal fp32 or a digital format);
// its equations are the cost face's (docs/references.md#rule-costs), so both faces count the same
// MACs per sample.

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "algorithms/crossbar_activity.h"
#include "algorithms/functional/numerics.h"
#include "workloads/dataset.h"
#include "workloads/graph.h"

namespace frugal::algorithms {

class Learner;
class Network;
struct TrainResult;

struct TrainOptions {
  std::string rule = "bp";
  int64_t epochs = 1;
  int64_t batch = 64;
  double learning_rate = 0.01;
  std::string optimizer = "momentum";  // sgd, momentum, adam or adamw (network.h)
  double momentum = 0.9;  // momentum's μ, PyTorch's convention: v = μv + g, W -= η v
  // Learning rate over the epochs: constant; cosine (η·(1 + cos(π·(e−1)/E))/2 in epoch e of E);
  // or step (×0.1 from 60% and again from 90% of the epochs, as PEPITA's reference runs do).
  std::string lr_schedule = "constant";
  uint64_t seed = 0;  // initialization, feedback matrices, and the order of samples
  // Threads a step runs on (team.h): each product and each elementwise pass of the step is split
  // by output columns among them, no element computed twice or summed across threads. Results
  // are bit for bit the same for a given count, and may differ in the last bits between counts
  // (a product's blocking depends on its width).
  int64_t threads = 1;
  std::string numerics = "fp32";  // a digital format (numerics.h)
  // A device's own numerics (noise, drift, ...), used instead of `numerics` when set.
  std::function<std::unique_ptr<Numerics>()> make_numerics;
  // Deployment: after training, the trained weights are programmed into this numerics (a
  // device's, or a digital format) and the test accuracy is measured through it.
  std::function<std::unique_ptr<Numerics>()> make_deploy_numerics;
  // Times after programming (s, ascending, >= 0) at which the test accuracy is measured again,
  // through the deployed numerics if any, else the training numerics (drift, read noise).
  std::vector<double> drift_times;
  // Magnitude pruning after training: in every dense and conv2d layer, the smallest-magnitude
  // fraction `sparsity` of the weights set to zero, before deployment; 0: none.
  double sparsity = 0;
  // Early stopping: hold out the last `validation_fraction` of the training set, measure the
  // accuracy on it after each epoch, and stop once it has not improved for `patience` epochs
  // (0: the whole schedule, still holding the fraction out when it is set).
  double validation_fraction = 0;
  int64_t patience = 0;
  // A device that trains networks its own way (a spiking chip learning on the chip): its learner
  // replaces the rule's.
  std::function<std::unique_ptr<Learner>(Network&, Numerics&, std::mt19937_64&)> make_learner;
  // Called with the freshly initialized network before the first step: a warm start replaces
  // its weights with trained ones here (the optimizer state starts afresh).
  std::function<void(Network&)> initialize;
  // An earlier identical training shared (a sweep's workers): `reuse` is asked once the network
  // is initialized and may fill its weights and the result's epochs from that training (true:
  // the epochs are skipped); `trained` sees the network and result once the epochs are done,
  // before pruning, deployment and drift.
  std::function<bool(Network&, TrainResult&)> reuse;
  std::function<void(const Network&, const TrainResult&)> trained;
  // Called after each training step with the epoch (from 1), the samples of it done and the
  // samples it has: progress within an epoch.
  std::function<void(int64_t epoch, int64_t done, int64_t samples)> on_step;
  // Called with the trained network once training (and deployment, drift) is done: a device
  // that runs the network its own way (a spiking conversion) measures it here.
  std::function<void(const Network&, TrainResult&)> after_training;
};

struct DriftPoint {
  double time_s = 0;
  double accuracy = 0;
};

struct EpochStats {
  int64_t epoch = 0;          // from 1
  double train_loss = 0;      // mean cross-entropy over the epoch's mini-batches
  double train_accuracy = 0;  // fraction correct during the epoch (before each update); NaN for
                              // rules whose step does not predict (ff)
  double test_accuracy = 0;   // after the epoch, on the whole test set
  double validation_accuracy = std::numeric_limits<double>::quiet_NaN();  // held-out training
};

struct TrainResult {
  std::vector<EpochStats> epochs;
  int64_t train_samples = 0;     // samples seen per epoch
  int64_t scheduled_epochs = 0;  // epochs asked for; epochs.size() ran (fewer if stopped early)
  // MACs of one training step per sample, as the trainer performed them (the cost face's
  // step.graph.macs() / batch: the two faces agree; tests check it), from the products its
  // Numerics computed in the first step. DRTP's B·y* is the column lookup it is.
  int64_t macs_per_sample = 0;
  // A device whose weights are conductances: what its updates fired and its reads took over the
  // whole training (NaN for digital numerics, which fire and read nothing).
  CrossbarActivity crossbar;
  // The same training in ideal fp32 (run_scenario fills it; equal to the final accuracy when
  // this run is fp32), and what the numerics cost: reference − final.
  double fp32_accuracy = 0;
  // With deployment, the test accuracy through the deployed numerics (NaN without).
  double deployed_accuracy = std::numeric_limits<double>::quiet_NaN();
  // With pruning: the test accuracy before it (the last epoch's) and after it (NaN without).
  double pruned_accuracy = std::numeric_limits<double>::quiet_NaN();
  std::vector<DriftPoint> drift;  // one per TrainOptions::drift_times
  double accuracy_loss() const { return fp32_accuracy - final_test_accuracy(); }
  // The deployed accuracy if there is one, else the last epoch's.
  double final_test_accuracy() const {
    if (!std::isnan(deployed_accuracy)) return deployed_accuracy;
    if (!std::isnan(pruned_accuracy)) return pruned_accuracy;
    return epochs.empty() ? 0.0 : epochs.back().test_accuracy;
  }
  double trained_test_accuracy() const {
    return epochs.empty() ? 0.0 : epochs.back().test_accuracy;
  }
};

// The learning rate of epoch `epoch` (from 1) of `epochs` under `schedule`.
double scheduled_learning_rate(double base, const std::string& schedule, int64_t epoch,
                               int64_t epochs);

// Whether `rule` has a functional face (throws InputError for an unknown rule).
bool trains_functionally(const std::string& rule);

// The most threads `TrainOptions::threads` may ask for.
int64_t max_trainer_threads();

// Trains the network of `forward` (a chain of dense, conv2d, pooling and relu/tanh/sigmoid
// layers; pepita, mempepita and ff: dense layers only) on `data`. Throws InputError for a
// network the rule cannot train (naming the op), sizes that do not match the data (input
// features, classes), a rule without a functional face, or options out of range. `on_epoch`
// (optional) sees each epoch's statistics as they come.
TrainResult train(const workloads::Graph& forward, const workloads::DataSplit& data,
                  const TrainOptions& options,
                  const std::function<void(const EpochStats&)>& on_epoch = {});

}  // namespace frugal::algorithms
