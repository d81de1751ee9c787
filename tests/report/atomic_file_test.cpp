// write_file_atomically and write_new_file_atomically: the target is replaced (or created) whole
// or not at all, and failures leave no temp files behind and say what went wrong in one line.
#include "report/atomic_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace offload::report {
namespace {

namespace fs = std::filesystem;

class AtomicFile : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("offload_atomic_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(dir_);
  }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  std::size_t entries(const fs::path& dir) const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), {}));
  }

  // Runs `write` expecting failure; returns the message.
  template <typename F>
  std::string failure_of(F write) {
    try {
      write();
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected std::runtime_error";
    return {};
  }

  fs::path dir_;
};

TEST_F(AtomicFile, CreatesParentDirectoriesAndTheFile) {
  const fs::path target = dir_ / "a" / "b" / "report.json";
  write_file_atomically(target, "{}\n");
  EXPECT_EQ(read(target), "{}\n");
  EXPECT_EQ(entries(target.parent_path()), 1u);  // no temp file left beside it
}

TEST_F(AtomicFile, ReplacesTheTargetContentWhole) {
  const fs::path target = dir_ / "report.txt";
  write_file_atomically(target, std::string(100000, 'x'));
  write_file_atomically(target, "short");
  EXPECT_EQ(read(target), "short");
  write_file_atomically(target, "");
  EXPECT_EQ(read(target), "");
  EXPECT_EQ(entries(dir_), 1u);
}

TEST_F(AtomicFile, TargetThatIsADirectoryThrowsOneLineAndLeavesNoTempFile) {
  const fs::path target = dir_ / "taken";
  fs::create_directories(target);
  const std::string message = failure_of([&] { write_file_atomically(target, "data"); });
  EXPECT_NE(message.find(target.string()), std::string::npos) << message;
  EXPECT_NE(message.find("Is a directory"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(entries(dir_), 1u);  // only the directory itself
  EXPECT_TRUE(fs::is_empty(target));
}

TEST_F(AtomicFile, ParentThatIsAFileThrowsNamingThePath) {
  write_file_atomically(dir_ / "file", "x");
  const fs::path target = dir_ / "file" / "report.json";
  const std::string message = failure_of([&] { write_file_atomically(target, "data"); });
  EXPECT_NE(message.find(target.string()), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(read(dir_ / "file"), "x");
}

TEST_F(AtomicFile, UnwritableDirectoryThrowsAndKeepsTheOldTarget) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  const fs::path target = dir_ / "report.txt";
  write_file_atomically(target, "old");
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec, fs::perm_options::replace);
  const std::string message = failure_of([&] { write_file_atomically(target, "new"); });
  EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
  EXPECT_EQ(read(target), "old");
  EXPECT_EQ(entries(dir_), 1u);
}

TEST_F(AtomicFile, NewFileIsNeverWrittenOverAnExistingOne) {
  const fs::path target = dir_ / "report.json";
  EXPECT_TRUE(write_new_file_atomically(target, "first"));
  EXPECT_FALSE(write_new_file_atomically(target, "second"));
  EXPECT_EQ(read(target), "first");
  EXPECT_EQ(entries(dir_), 1u) << "the second temp file is removed";
}

}  // namespace
}  // namespace offload::report
