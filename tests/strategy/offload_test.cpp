// The offload axis's batch half: which context the ops of an offload_batch run in copies of.
#include "strategy/offload.hpp"

#include <gtest/gtest.h>

#include "runtime/context.hpp"

namespace offload::strategy {
namespace {

using runtime::Context;
using runtime::ContextVar;

TEST(OffloadBatchContext, CopyContextPartialCopiesEvenAnEmptyContext) {
  Context().run([] { EXPECT_TRUE(OffloadCopyContextPartial::batch_context().has_value()); });
}

// gh-136157's shortcut: an empty caller context means no context at all, so the jobs run in the
// worker thread's own context (and leak into each other there).
TEST(OffloadBatchContext, SkipEmptyContextGivesNoContextForAnEmptyCallerContext) {
  Context().run([] { EXPECT_FALSE(OffloadSkipEmptyContext::batch_context().has_value()); });
}

TEST(OffloadBatchContext, SkipEmptyContextCopiesANonEmptyCallerContext) {
  ContextVar<int> var("var");
  Context().run([&] {
    var.set(7);
    const auto context = OffloadSkipEmptyContext::batch_context();
    ASSERT_TRUE(context.has_value());
    EXPECT_EQ(Context(*context).run([&] { return var.get(); }), 7);
  });
}

}  // namespace
}  // namespace offload::strategy
