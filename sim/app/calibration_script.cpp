#include "sim/app/calibration_script.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "hw_models/presets_embedded.h"
#include "results/core/error.h"

namespace frugal::sim {
namespace {

// Reads `fd` to its end.
std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) != 0;)
    if (n > 0)
      text.append(buffer, static_cast<size_t>(n));
    else if (errno != EINTR)
      break;
  return text;
}

}  // namespace

const std::string& calibration_script(const std::string& name) {
  for (const hw::EmbeddedFile& f : hw::embedded_calibration_scripts())
    if (f.name == name) return f.contents;
  throw std::logic_error(name + " is not built in");
}

std::string last_line(const std::string& text) {
  size_t end = text.find_last_not_of(" \n\r\t");
  if (end == std::string::npos) return "";
  const size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start + 1));
}

ScriptRun run_calibration_script(const std::string& name, const std::vector<std::string>& args,
                                 bool capture_stdout) {
  char script[] = "/tmp/frugal-probe-XXXXXX";
  const int fd = ::mkstemp(script);
  if (fd < 0) throw IoError("cannot write the probe to /tmp: " + std::string(std::strerror(errno)));
  const std::string& text = calibration_script(name);
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  ScriptRun run;
  const char* python_env = std::getenv("FRUGAL_PYTHON");
  run.python = python_env && *python_env ? python_env : "/usr/bin/python3";
  std::vector<std::string> words = {run.python, script};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  // stderr through a pipe; stdout, when captured, through a file (two pipes could deadlock).
  char out_path[] = "/tmp/frugal-probe-out-XXXXXX";
  const int out_fd = capture_stdout ? ::mkstemp(out_path) : -1;
  int pipe_fds[2];
  run.spawn_error = written ? 0 : EIO;
  if (run.spawn_error == 0 && capture_stdout && out_fd < 0) run.spawn_error = errno;
  if (run.spawn_error == 0 && ::pipe(pipe_fds) != 0) run.spawn_error = errno;
  pid_t pid = 0;
  if (run.spawn_error == 0) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
    if (capture_stdout) posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    run.spawn_error =
        ::posix_spawn(&pid, run.python.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    run.errors = read_all(pipe_fds[0]);
    ::close(pipe_fds[0]);
  }
  int status = 0;
  if (run.spawn_error == 0)
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  if (out_fd >= 0) {
    ::lseek(out_fd, 0, SEEK_SET);
    run.out = read_all(out_fd);
    ::close(out_fd);
    std::remove(out_path);
  }
  std::remove(script);
  run.succeeded = run.spawn_error == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return run;
}

}  // namespace frugal::sim
