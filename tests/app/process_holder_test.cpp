// holderGone: a lease holder of this machine whose process has exited is gone; a live one, one of
// another machine, or a name that is not host:pid never is.
#include "app/process_holder.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace liaison::app {
namespace {

std::string hostPart() {
  const std::string me = processHolder();
  return me.substr(0, me.rfind(':'));
}

TEST(ProcessHolderTest, AnExitedProcessOfThisMachineIsGone) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);  // reaped: the pid no longer exists
  EXPECT_TRUE(holderGone(hostPart() + ":" + std::to_string(child)));
}

TEST(ProcessHolderTest, ALiveProcessAnotherMachineOrAnotherNameIsNot) {
  EXPECT_FALSE(holderGone(processHolder()));
  EXPECT_FALSE(holderGone("another-machine.example:999999"));
  EXPECT_FALSE(holderGone(hostPart()));
  EXPECT_FALSE(holderGone(hostPart() + ":"));
  EXPECT_FALSE(holderGone(hostPart() + ":12x"));
  EXPECT_FALSE(holderGone(hostPart() + ":-4"));
  EXPECT_FALSE(holderGone("hub"));
}

}  // namespace
}  // namespace liaison::app
