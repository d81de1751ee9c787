// The offload axis's batch half: which contexts the ops of an offload_batch run in.
#include "strategy/offload.hpp"

#include <gtest/gtest.h>

#include "runtime/context.hpp"

namespace offload::strategy {
namespace {

using runtime::Context;
using runtime::ContextVar;

TEST(OffloadBatchContexts, CopyContextPartialGivesEveryOpItsOwnCopyEvenOfAnEmptyContext) {
  Context().run([] {
    const auto contexts = OffloadCopyContextPartial::batch_contexts(3);
    ASSERT_EQ(contexts.size(), 3u);
    EXPECT_FALSE(contexts[0] == contexts[1]);
    EXPECT_FALSE(contexts[1] == contexts[2]);
  });
}

// gh-136157's shortcut: an empty caller context means no context at all, so the jobs run in the
// worker thread's own context (and leak into each other there).
TEST(OffloadBatchContexts, SkipEmptyContextGivesNoContextsForAnEmptyCallerContext) {
  Context().run([] { EXPECT_TRUE(OffloadSkipEmptyContext::batch_contexts(5).empty()); });
}

TEST(OffloadBatchContexts, SkipEmptyContextGivesOneCopyPerOpOfANonEmptyCallerContext) {
  ContextVar<int> var("var");
  Context().run([&] {
    var.set(7);
    const auto contexts = OffloadSkipEmptyContext::batch_contexts(3);
    ASSERT_EQ(contexts.size(), 3u);
    EXPECT_FALSE(contexts[0] == contexts[1]);
    EXPECT_FALSE(contexts[1] == contexts[2]);
    for (Context c : contexts) EXPECT_EQ(c.run([&] { return var.get(); }), 7);
  });
}

}  // namespace
}  // namespace offload::strategy
