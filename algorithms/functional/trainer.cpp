#include "algorithms/functional/trainer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>

#include "algorithms/functional/network.h"
#include "algorithms/functional/numerics.h"
#include "algorithms/functional/team.h"
#include "algorithms/learning_rule.h"
#include "results/core/error.h"

namespace frugal::algorithms {
namespace {

// SplitMix64 (Steele, Lea & Flood 2014): the sample order's generator, simple enough to replicate
// exactly elsewhere (bench/torch_mlp_compare.py does, to feed PyTorch the same order).
uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Fisher–Yates from the back: swap item i with item (next % (i + 1)), i = n−1 .. 1.
void shuffle(std::vector<int64_t>& order, uint64_t& state) {
  for (size_t i = order.size(); i-- > 1;)
    std::swap(order[i], order[static_cast<size_t>(splitmix64(state) % (i + 1))]);
}

}  // namespace

double scheduled_learning_rate(double base, const std::string& schedule, int64_t epoch,
                               int64_t epochs) {
  if (schedule == "cosine")
    return base * 0.5 *
           (1.0 + std::cos(M_PI * static_cast<double>(epoch - 1) / static_cast<double>(epochs)));
  if (schedule == "step") {
    const double done = static_cast<double>(epoch - 1) / static_cast<double>(epochs);
    return base * (done >= 0.9 ? 0.01 : done >= 0.6 ? 0.1 : 1.0);
  }
  return base;
}

bool trains_functionally(const std::string& rule) { return make_rule(rule)->trains(); }

namespace {

double accuracy(Learner& learner, const workloads::Dataset& d) {
  constexpr int64_t kChunk = 250;  // bounds the unrolled convolution inputs (tens of MB)
  int64_t correct = 0;
  Matrix scores;
  for (int64_t start = 0; start < d.size(); start += kChunk) {
    const int64_t n = std::min(kChunk, d.size() - start);
    const Eigen::Map<const Matrix> x(d.images.data() + start * d.features(), d.features(), n);
    learner.scores(x, scores);
    correct += count_correct(scores, d.labels.data() + start);
  }
  return d.size() ? static_cast<double>(correct) / static_cast<double>(d.size()) : 0.0;
}

}  // namespace

int64_t max_trainer_threads() { return 64; }

TrainResult train(const workloads::Graph& forward, const workloads::DataSplit& data,
                  const TrainOptions& o, const std::function<void(const EpochStats&)>& on_epoch) {
  if (o.threads < 1 || o.threads > max_trainer_threads())
    throw InputError("--trainer-threads must be in [1, " + std::to_string(max_trainer_threads()) +
                     "], got " + std::to_string(o.threads));
  // The team splits each product and elementwise pass of a step by columns (team.h).
  Team team(static_cast<int>(o.threads));
  const TeamScope team_scope(o.threads > 1 ? &team : nullptr);
  const auto rule = make_rule(o.rule);
  if (!rule->trains())
    throw InputError("rule " + o.rule + " has no functional face: it cannot train");
  if (o.epochs < 1)
    throw InputError("--epochs must be a positive integer, got " + std::to_string(o.epochs));
  if (o.batch < 1) throw InputError("--batch must be a positive integer");
  if (!(o.learning_rate > 0) || !(o.momentum >= 0 && o.momentum < 1))
    throw InputError("--lr must be positive and --momentum in [0, 1)");
  if (o.lr_schedule != "constant" && o.lr_schedule != "cosine" && o.lr_schedule != "step")
    throw InputError("--lr-schedule must be constant, cosine or step, got '" + o.lr_schedule + "'");
  if (data.train.size() == 0) throw InputError("the training set is empty");
  const auto numerics = o.make_numerics ? o.make_numerics() : make_digital_numerics(o.numerics);
  std::mt19937_64 rng(o.seed);
  OptimizerSettings optimizer;
  optimizer.name = o.optimizer;
  optimizer.momentum = static_cast<float>(o.momentum);
  Network net(forward, data.train.features(), data.train.classes, rng, optimizer);
  if (o.initialize) o.initialize(net);
  const auto learner =
      o.make_learner ? o.make_learner(net, *numerics, rng) : rule->learner(net, *numerics, rng);
  if (!(o.validation_fraction >= 0 && o.validation_fraction < 1) || o.patience < 0)
    throw InputError("the validation fraction must be in [0, 1) and the patience >= 0");
  // With early stopping, the last fraction of the training set is held out for validation.
  workloads::Dataset fit, validation;
  const bool held_out = o.validation_fraction > 0;
  if (held_out) {
    const int64_t n = data.train.size();
    const auto kept = static_cast<int64_t>(static_cast<double>(n) * (1.0 - o.validation_fraction));
    if (kept < 1 || kept >= n)
      throw InputError("the training set of " + std::to_string(n) +
                       " samples is too small to hold out a validation set");
    for (workloads::Dataset* d : {&fit, &validation}) {
      d->rows = data.train.rows;
      d->cols = data.train.cols;
      d->classes = data.train.classes;
    }
    const auto split = data.train.images.begin() + kept * data.train.features();
    fit.images.assign(data.train.images.begin(), split);
    validation.images.assign(split, data.train.images.end());
    fit.labels.assign(data.train.labels.begin(), data.train.labels.begin() + kept);
    validation.labels.assign(data.train.labels.begin() + kept, data.train.labels.end());
  }
  const workloads::Dataset& train = held_out ? fit : data.train;
  std::vector<int64_t> order(static_cast<size_t>(train.size()));
  std::iota(order.begin(), order.end(), int64_t{0});
  Matrix x(train.features(), o.batch);
  std::vector<uint8_t> labels(static_cast<size_t>(o.batch));
  uint64_t order_state = o.seed;  // the sample order has its own stream (see shuffle)
  TrainResult result;
  result.train_samples = train.size();
  result.scheduled_epochs = o.epochs;
  double best_validation = -1;
  int64_t best_epoch = 0;
  const bool reused = o.reuse && o.reuse(net, result);
  for (int64_t epoch = 1; !reused && epoch <= o.epochs; ++epoch) {
    shuffle(order, order_state);
    const auto rate = static_cast<float>(
        scheduled_learning_rate(o.learning_rate, o.lr_schedule, epoch, o.epochs));
    double loss_sum = 0;
    int64_t batches = 0, correct = 0;
    for (int64_t start = 0; start < train.size(); start += o.batch) {
      const int64_t n = std::min(o.batch, train.size() - start);
      if (x.cols() != n) x.resize(train.features(), n);
      // The batch's samples, gathered from wherever the order put them (each member of a team
      // its own columns: a gather waits on memory, and the members wait in parallel).
      auto gather = [&](Eigen::Index first, Eigen::Index count) {
        for (int64_t j = first; j < first + count; ++j) {
          const int64_t i = order[static_cast<size_t>(start + j)];
          x.col(j) = Eigen::Map<const Vector>(train.images.data() + i * train.features(),
                                              train.features());
          labels[static_cast<size_t>(j)] = train.labels[static_cast<size_t>(i)];
        }
      };
      if (worth_splitting(n, n * train.features(), kSplitElements))
        split_columns(n, gather);
      else
        gather(0, n);
      if (epoch == 1 && start == 0) numerics->reset_activity();
      loss_sum += learner->step(x, labels.data(), rate, correct);
      if (epoch == 1 && start == 0) result.macs_per_sample = numerics->activity().macs / n;
      ++batches;
      if (o.on_step) o.on_step(epoch, start + n, train.size());
    }
    EpochStats s;
    s.epoch = epoch;
    s.train_loss = loss_sum / static_cast<double>(batches);
    s.train_accuracy = learner->measures_train_accuracy()
                           ? static_cast<double>(correct) / static_cast<double>(train.size())
                           : std::numeric_limits<double>::quiet_NaN();
    s.test_accuracy = accuracy(*learner, data.test);
    if (held_out) s.validation_accuracy = accuracy(*learner, validation);
    result.epochs.push_back(s);
    if (on_epoch) on_epoch(s);
    if (held_out && s.validation_accuracy > best_validation) {
      best_validation = s.validation_accuracy;
      best_epoch = epoch;
    }
    if (o.patience > 0 && epoch - best_epoch >= o.patience) break;  // a plateau
  }
  if (!reused) result.crossbar = per_update(numerics->activity());  // since the first step
  if (!reused && o.trained) o.trained(net, result);
  if (!(o.sparsity >= 0 && o.sparsity < 1))
    throw InputError("--sparsity must be within [0, 1), got " + std::to_string(o.sparsity));
  if (o.sparsity > 0) {
    for (Layer& l : net.layers())
      if (l.trainable() && l.w.size() > 0) {
        std::vector<float> magnitudes(static_cast<size_t>(l.w.size()));
        for (Eigen::Index i = 0; i < l.w.size(); ++i)
          magnitudes[static_cast<size_t>(i)] = std::fabs(l.w.data()[i]);
        const auto k = static_cast<size_t>(o.sparsity * static_cast<double>(magnitudes.size()));
        if (k == 0) continue;
        std::nth_element(magnitudes.begin(),
                         magnitudes.begin() + static_cast<std::ptrdiff_t>(k - 1), magnitudes.end());
        const float cut = magnitudes[k - 1];
        int64_t zeroed = 0;
        for (Eigen::Index i = 0; i < l.w.size() && zeroed < static_cast<int64_t>(k); ++i)
          if (std::fabs(l.w.data()[i]) <= cut) {
            l.w.data()[i] = 0.0f;
            ++zeroed;
          }
      }
    result.pruned_accuracy = accuracy(*learner, data.test);
  }
  Learner* measured = learner.get();
  Numerics* clock = numerics.get();
  std::unique_ptr<Numerics> deployed;
  std::unique_ptr<Learner> deployed_learner;
  if (o.make_deploy_numerics) {
    deployed = o.make_deploy_numerics();
    std::mt19937_64 deploy_rng(o.seed + 1);  // the learner's own draws; scoring uses none
    deployed_learner = rule->learner(net, *deployed, deploy_rng);
    measured = deployed_learner.get();
    clock = deployed.get();
    result.deployed_accuracy = accuracy(*measured, data.test);
  }
  double now = 0;
  for (double t : o.drift_times) {
    if (!(t >= now)) throw InputError("drift times must be >= 0 s and ascending");
    clock->elapse(t - now);
    now = t;
    result.drift.push_back({t, accuracy(*measured, data.test)});
  }
  if (o.after_training) o.after_training(net, result);
  return result;
}

}  // namespace frugal::algorithms
