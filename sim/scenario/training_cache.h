#pragma once
// Trainings shared by the processes of one sweep. Training is deterministic, so a network
// trained once for one scenario is the same network for any scenario with the same training
// options on another digital device (fp32 on the CPU and on the A100), and the fp32 reference
// of accuracy_loss is often another scenario's own training. A sweep names a folder
// (set_training_cache); each training is then computed by the first worker that needs it, under
// a lock on its own file, and read back by the others (a worker that needs one being computed
// waits for it). Without a folder (frugal run), every training is computed.

#include <functional>
#include <memory>
#include <string>

#include "algorithms/functional/trainer.h"

namespace frugal::sim {

// The folder the trainings of this process (and the workers it forks) are shared through; ""
// turns sharing off. The folder must exist; set_training_cache does not create or remove it.
void set_training_cache(const std::string& folder);

// The training `key` names: read from the folder when a process has computed it, else
// computed by `compute` and written there. Identical to compute() either way (the result is
// stored exactly). Without a folder, compute().
algorithms::TrainResult shared_training(const std::string& key,
                                        const std::function<algorithms::TrainResult()>& compute);

// An exclusive lock on a file of the folder, held for the object's life (waiting for it).
class TrainingLock {
 public:
  explicit TrainingLock(const std::string& path);
  ~TrainingLock();
  TrainingLock(const TrainingLock&) = delete;
  TrainingLock& operator=(const TrainingLock&) = delete;
  bool held() const { return m_fd >= 0; }

 private:
  int m_fd;
};

// A network trained off the device and then deployed (rule inference with --train): its
// training, in fp32, is the same for every device it is deployed to, but the deployment needs
// the trained weights. Constructed before training with the training's key (the lock is held
// from then on, so that a worker needing a network being trained waits for it): load() fills a
// freshly initialized network and the result's epochs from the folder when a worker has trained
// it (true), and store() writes them once trained. Without a folder, load() is false and
// store() does nothing.
class SharedNetwork {
 public:
  explicit SharedNetwork(const std::string& key);
  bool load(algorithms::Network& net, algorithms::TrainResult& result, const std::string& model);
  void store(const algorithms::Network& net, const algorithms::TrainResult& result);

 private:
  std::string m_key, m_base;  // m_base empty: no sharing
  std::unique_ptr<TrainingLock> m_lock;
};

// The result as text and back, exactly (hexadecimal floats): what the folder holds.
std::string encode_training(const algorithms::TrainResult& result);
algorithms::TrainResult decode_training(const std::string& text);

}  // namespace frugal::sim
