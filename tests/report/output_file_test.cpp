// Output paths by kind: a symlink is written through, a device or FIFO is written in place and
// never renamed over, and an unusable path is refused before anything is written. Devices are
// made with mknod(2) in a temp directory: the machine's /dev is never a target.
#include "report/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

namespace offload::report {
namespace {

namespace fs = std::filesystem;

class OutputFile : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("offload_output_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  static std::string failure_of(const fs::path& path, bool replace_existing = true) {
    try {
      check_output_path(path, replace_existing);
    } catch (const OutputError& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected OutputError for " << path;
    return {};
  }
  // A character device like /dev/null (1, 3) or /dev/full (1, 7), in the test's directory.
  // Returns false when this process may not create device nodes (not root, or a container).
  bool make_device(const fs::path& path, unsigned minor) const {
    return ::mknod(path.c_str(), S_IFCHR | 0666, makedev(1, minor)) == 0;
  }
  static bool is_char_device(const fs::path& path, unsigned minor) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode) && ::major(st.st_rdev) == 1 &&
           ::minor(st.st_rdev) == minor;
  }

  fs::path dir_;
};

TEST_F(OutputFile, NewOrRegularFileIsReplacedAtomically) {
  const fs::path target = dir_ / "sub" / "report.json";
  const OutputTarget checked = check_output_path(target);
  EXPECT_EQ(checked.kind, OutputKind::kFile);
  EXPECT_TRUE(fs::is_directory(dir_ / "sub")) << "the directory is made when checked, before the run";
  write_output(checked, "one");
  write_output(check_output_path(target), "two");
  EXPECT_EQ(read(target), "two");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "sub"), {}), 1) << "no probe or temp file left";
}

TEST_F(OutputFile, SymlinkIsFollowedAndItsTargetWritten) {
  const fs::path real = dir_ / "runs" / "r1.json";
  fs::create_directories(real.parent_path());
  { std::ofstream(real) << "old"; }
  const fs::path link = dir_ / "latest.json";
  fs::create_symlink("runs/r1.json", link);
  const OutputTarget checked = check_output_path(link);
  EXPECT_EQ(checked.resolved, dir_ / "runs/r1.json");
  write_output(checked, "new");
  EXPECT_TRUE(fs::is_symlink(link)) << "the link itself is not replaced";
  EXPECT_EQ(read(real), "new");
}

TEST_F(OutputFile, DanglingSymlinkCreatesItsTarget) {
  const fs::path link = dir_ / "latest.json";
  fs::create_symlink(dir_ / "made.json", link);
  write_output(check_output_path(link), "data");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(read(dir_ / "made.json"), "data");
}

TEST_F(OutputFile, SymlinkLoopIsRefusedUpFront) {
  fs::create_symlink(dir_ / "b", dir_ / "a");
  fs::create_symlink(dir_ / "a", dir_ / "b");
  const std::string message = failure_of(dir_ / "a");
  EXPECT_NE(message.find("Too many levels of symbolic links"), std::string::npos) << message;
}

TEST_F(OutputFile, FifoIsWrittenInPlaceNotRenamedOver) {
  const fs::path fifo = dir_ / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const OutputTarget checked = check_output_path(fifo);
  EXPECT_EQ(checked.kind, OutputKind::kStream);
  auto reader = std::async(std::launch::async, [&] { return read(fifo); });
  write_output(checked, "through the pipe");
  EXPECT_EQ(reader.get(), "through the pipe");
  EXPECT_TRUE(fs::is_fifo(fifo)) << "still a FIFO";
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), {}), 1) << "no temp file beside it";
}

TEST_F(OutputFile, DeviceIsWrittenInPlaceAndStaysADevice) {
  const fs::path null_device = dir_ / "null";
  if (!make_device(null_device, 3)) GTEST_SKIP() << "mknod not permitted here";
  const OutputTarget checked = check_output_path(null_device);
  EXPECT_EQ(checked.kind, OutputKind::kStream);
  write_output(checked, std::string(100000, 'x'));
  EXPECT_TRUE(is_char_device(null_device, 3)) << "a rename would have left a regular file";
}

TEST_F(OutputFile, FullDeviceFailsWithOneLineNamingThePathAndStaysADevice) {
  const fs::path full_device = dir_ / "full";
  if (!make_device(full_device, 7)) GTEST_SKIP() << "mknod not permitted here";
  std::string message;
  try {
    write_output(check_output_path(full_device), "{}\n");
  } catch (const OutputError& e) {
    message = e.what();
  }
  EXPECT_EQ(message, "cannot write " + full_device.string() + ": write: No space left on device");
  EXPECT_TRUE(is_char_device(full_device, 7));
}

TEST_F(OutputFile, SymlinkToADeviceWritesTheDevice) {
  const fs::path null_device = dir_ / "null";
  if (!make_device(null_device, 3)) GTEST_SKIP() << "mknod not permitted here";
  fs::create_symlink(null_device, dir_ / "out.json");
  write_output(check_output_path(dir_ / "out.json"), "data");
  EXPECT_TRUE(fs::is_symlink(dir_ / "out.json"));
  EXPECT_TRUE(is_char_device(null_device, 3));
}

TEST_F(OutputFile, DashIsStdout) { EXPECT_EQ(check_output_path("-").kind, OutputKind::kStdout); }

TEST_F(OutputFile, DirectoryIsRefusedUpFront) {
  const std::string message = failure_of(dir_);
  EXPECT_NE(message.find(dir_.string()), std::string::npos) << message;
  EXPECT_NE(message.find("Is a directory"), std::string::npos) << message;
}

TEST_F(OutputFile, PathUnderARegularFileIsRefusedUpFront) {
  { std::ofstream(dir_ / "file") << "x"; }
  const std::string message = failure_of(dir_ / "file" / "report.json");
  EXPECT_NE(message.find("Not a directory"), std::string::npos) << message;
  EXPECT_EQ(read(dir_ / "file"), "x");
}

TEST_F(OutputFile, ExistingFileIsRefusedWhenNotToBeReplaced) {
  { std::ofstream(dir_ / "main.json") << "kept"; }
  EXPECT_EQ(failure_of(dir_ / "main.json", false), "cannot write " + (dir_ / "main.json").string() + ": already exists");
  OutputTarget target{dir_ / "main.json", dir_ / "main.json", OutputKind::kFile, false};
  EXPECT_THROW(write_output(target, "lost"), OutputError) << "a file made after the check is not replaced either";
  EXPECT_EQ(read(dir_ / "main.json"), "kept");
}

TEST_F(OutputFile, UnwritableDirectoryIsRefusedUpFront) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec, fs::perm_options::replace);
  const std::string message = failure_of(dir_ / "report.json");
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
  EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
}

}  // namespace
}  // namespace offload::report
