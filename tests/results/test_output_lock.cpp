#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "results/core/error.h"
#include "results/files/hdf5_file.h"
#include "results/files/journal.h"
#include "results/files/output_lock.h"

using namespace frugal;
using namespace frugal::results;

namespace {

std::string temp_path(const std::string& name) {
  return "/tmp/frugal-lock-test-" + std::to_string(::getpid()) + "-" + name;
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

void clear(const std::string& path) {
  for (const char* suffix : {"", ".lock", ".partial", ".journal"})
    std::remove((path + suffix).c_str());
}

// A child process that takes PATH's lock, says so on a pipe, and holds it until its parent closes
// the other pipe. Returns the child's pid; `release` is the descriptor to close.
pid_t hold_in_child(const std::string& path, int& release) {
  int ready[2], hold[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(hold) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(ready[0]);
    ::close(hold[1]);
    char c = 'n';
    try {
      OutputLock lock(path);
      c = 'y';
      (void)!::write(ready[1], &c, 1);
      (void)!::read(hold[0], &c, 1);  // until the parent closes its end
      ::_exit(0);  // without releasing: as a killed process, the lock file stays behind
    } catch (...) {
      (void)!::write(ready[1], &c, 1);
    }
    ::_exit(1);
  }
  ::close(ready[1]);
  ::close(hold[0]);
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  REQUIRE(c == 'y');
  ::close(ready[0]);
  release = hold[1];
  return pid;
}

}  // namespace

TEST_CASE("an output's lock refuses every other writer, naming the process, and frees with it",
          "[quick][results][lock]") {
  const std::string path = temp_path("owned.h5");
  clear(path);
  int release = -1;
  const pid_t child = hold_in_child(path, release);
  const std::string by = "'" + path + "' is in use by process " + std::to_string(child);
  CHECK_THROWS_WITH(OutputLock(path), Catch::StartsWith(by + " (started "));
  CHECK_THROWS_WITH(ResultsWriter(path, false), Catch::StartsWith(by));
  CHECK_THROWS_WITH(check_output_path(path, false), Catch::StartsWith(by));
  CHECK(OutputLock::held_by(path).rfind("process " + std::to_string(child), 0) == 0);
  CHECK_FALSE(exists(path + ".partial"));  // the refused writer created nothing

  // The holder dies without releasing (as under SIGKILL): its lock file stays, and is free.
  ::close(release);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(exists(path + ".lock"));
  CHECK(OutputLock::held_by(path).empty());
  {
    OutputLock lock(path);
    CHECK(OutputLock::held_by(path) == "this process");
    // One process does not write one output twice either.
    CHECK_THROWS_WITH(OutputLock(path), Catch::Contains("in use by this process"));
    CHECK(exists(path + ".lock"));  // the refused second lock did not release the first
    CHECK(OutputLock::held_by(path) == "this process");
  }
  CHECK_FALSE(exists(path + ".lock"));  // released and deleted
  clear(path);
}

TEST_CASE("a writer renames and deletes only the files it created", "[quick][results][lock]") {
  const std::string path = temp_path("replaced.h5");
  clear(path);
  {
    // A stale partial file (a killed run's; no one holds the lock) is cleared.
    std::ofstream(path + ".partial") << "debris";
    ResultsWriter writer(path, false);
    CHECK(exists(path + ".lock"));
    // Someone deletes the partial file by hand and another file takes its name.
    std::remove((path + ".partial").c_str());
    std::ofstream(path + ".partial") << "another run's file";
    CHECK_THROWS_WITH(writer.commit(), Catch::Contains("deleted or replaced by another process"));
  }
  CHECK_FALSE(exists(path));  // nothing renamed
  std::ifstream other(path + ".partial");
  std::string text;
  std::getline(other, text);
  CHECK(text == "another run's file");  // and the other file is left alone
  CHECK_FALSE(exists(path + ".lock"));

  // A journal replaced by another file is not deleted when the sweep finishes.
  const std::string journal = path + ".journal";
  {
    Journal j = Journal::create(journal, "header");
    CHECK(j.intact());
    std::remove(journal.c_str());
    std::ofstream(journal) << "another";
    CHECK_FALSE(j.intact());
    j.remove();
  }
  CHECK(exists(journal));
  clear(path);
}
