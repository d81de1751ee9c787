// Context, ContextVar and Token: CPython 3.12 contextvars semantics, including entering rules
// across threads and the O(1) cost of copy_context().
#include "runtime/context.hpp"

#include <gtest/gtest.h>

#include <latch>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "runtime/errors.hpp"
#include "runtime/instrumentation.hpp"

namespace offload::runtime {
namespace {

namespace inst = instrumentation;

TEST(ContextVar, GetReturnsTheDefaultWhenUnset) {
  const ContextVar<int> var("v", 42);
  EXPECT_EQ(var.get(), 42);
  EXPECT_EQ(var.name(), "v");
}

TEST(ContextVar, GetWithoutValueOrDefaultThrowsLookupError) {
  const ContextVar<int> var("nothing");
  EXPECT_THROW((void)var.get(), LookupError);
}

TEST(ContextVar, GetFallbackTakesPrecedenceOverTheDefault) {
  const ContextVar<int> var("v", 1);
  EXPECT_EQ(var.get(2), 2);
}

TEST(ContextVar, SetValueIsReturnedByGet) {
  ContextVar<std::string> var("s");
  Context().run([&] {
    (void)var.set("hello");
    EXPECT_EQ(var.get(), "hello");
    EXPECT_EQ(var.get("fallback"), "hello");
  });
}

TEST(ContextVar, EveryVariableHasAUniqueId) {
  const ContextVar<int> a("a");
  const ContextVar<int> b("a");
  EXPECT_NE(a.id(), b.id());
}

TEST(Token, RecordsTheVarAndTheOldValue) {
  ContextVar<int> var("v");
  Context().run([&] {
    const Token<int> first = var.set(1);
    EXPECT_EQ(&first.var(), &var);
    EXPECT_EQ(first.old_value(), std::nullopt);  // Token.MISSING
    const Token<int> second = var.set(2);
    EXPECT_EQ(second.old_value(), std::optional<int>(1));
    EXPECT_FALSE(second.used());
  });
}

TEST(Token, ResetRestoresThePreviousValue) {
  ContextVar<int> var("v");
  Context().run([&] {
    (void)var.set(1);
    const Token<int> token = var.set(2);
    var.reset(token);
    EXPECT_EQ(var.get(), 1);
    EXPECT_TRUE(token.used());
  });
}

TEST(Token, ResetRemovesAVariableThatHadNoValue) {
  ContextVar<int> var("v");
  Context ctx;
  ctx.run([&] {
    const Token<int> token = var.set(1);
    var.reset(token);
    EXPECT_THROW((void)var.get(), LookupError);
  });
  EXPECT_TRUE(ctx.empty());
}

TEST(Token, ResetTwiceThrowsRuntimeError) {
  ContextVar<int> var("v");
  Context().run([&] {
    const Token<int> token = var.set(1);
    var.reset(token);
    EXPECT_THROW(var.reset(token), RuntimeError);
  });
}

TEST(Token, ResetByAnotherVarThrowsValueError) {
  ContextVar<int> var("v");
  ContextVar<int> other("other");
  Context().run([&] {
    const Token<int> token = var.set(1);
    EXPECT_THROW(other.reset(token), ValueError);
    EXPECT_FALSE(token.used());
    EXPECT_EQ(var.get(), 1);
  });
}

TEST(Token, ResetInAnotherContextThrowsValueError) {
  ContextVar<int> var("v");
  Context ctx;
  std::optional<Token<int>> token = ctx.run([&] { return std::optional<Token<int>>(var.set(1)); });
  EXPECT_THROW(Context().run([&] { var.reset(*token); }), ValueError);
  EXPECT_THROW(var.reset(*token), ValueError);  // The caller's own context is another one too.
  ctx.run([&] { var.reset(*token); });
  EXPECT_TRUE(ctx.empty());
}

TEST(Context, NewContextIsEmpty) {
  const Context ctx;
  EXPECT_TRUE(ctx.empty());
  EXPECT_EQ(ctx.size(), 0U);
}

TEST(Context, HandlesCompareByIdentity) {
  const Context a;
  const Context same = a;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_TRUE(a == same);
  EXPECT_FALSE(a == a.copy());
  EXPECT_FALSE(a == Context());
}

TEST(Context, SizeCountsTheVariablesSet) {
  ContextVar<int> a("a");
  ContextVar<int> b("b");
  Context ctx;
  ctx.run([&] {
    (void)a.set(1);
    (void)a.set(2);
    (void)b.set(3);
  });
  EXPECT_EQ(ctx.size(), 2U);
  EXPECT_FALSE(ctx.empty());
}

// What lets a batch reuse one op's context for the next: a copy is "unchanged" until a write
// gives it another mapping or another handle keeps it.
TEST(Context, AFreshCopyStaysUnchangedUntilWrittenOrShared) {
  ContextVar<int> var("var", 0);
  Context origin;
  origin.run([&] { var.set(1); });
  Context copy = origin.copy();
  EXPECT_TRUE(copy.unchanged_copy_of(origin));
  EXPECT_EQ(copy.run([&] { return var.get(); }), 1);
  EXPECT_TRUE(copy.unchanged_copy_of(origin)) << "reading changes nothing";
  {
    Context kept = copy;  // A second handle: a job that kept its context.
    EXPECT_FALSE(copy.unchanged_copy_of(origin));
  }
  EXPECT_TRUE(copy.unchanged_copy_of(origin));
  copy.run([&] { var.set(2); });
  EXPECT_FALSE(copy.unchanged_copy_of(origin)) << "a write gives it another mapping";
  EXPECT_FALSE(origin.copy().unchanged_copy_of(copy));
}

TEST(Context, CopyContextSeesTheCurrentValues) {
  ContextVar<int> var("v");
  Context().run([&] {
    (void)var.set(7);
    const Context snapshot = copy_context();
    EXPECT_EQ(snapshot.size(), 1U);
    (void)var.set(8);  // Later changes do not reach the snapshot.
    EXPECT_EQ(Context(snapshot).run([&] { return var.get(); }), 7);
  });
}

TEST(Context, CopyContextIsOneAllocationWhateverTheMappingSize) {
  std::vector<std::unique_ptr<ContextVar<int>>> vars;
  Context big;
  big.run([&] {
    for (int i = 0; i < 1'000; ++i) {
      vars.push_back(std::make_unique<ContextVar<int>>("v" + std::to_string(i)));
      (void)vars.back()->set(i);
    }
    const bool was_enabled = inst::enabled();
    inst::set_enabled(true);
    const inst::Counts start = inst::totals();
    // A direct call, which unlike a new-expression may not be elided: counts 1 if the
    // allocation hook is linked in, else 0.
    ::operator delete(::operator new(1));
    const inst::Counts before = inst::totals();
    const Context copy = copy_context();
    const inst::Counts after = inst::totals();
    inst::set_enabled(was_enabled);
    const auto per_allocation = (before - start)[inst::Counter::kHeapAllocations];
    EXPECT_EQ(copy.size(), 1'000U);
    EXPECT_EQ((after - before)[inst::Counter::kHeapAllocations], per_allocation);
  });
}

TEST(Context, ChangesInsideRunStayInThatContext) {
  ContextVar<int> var("v");
  Context outer;
  outer.run([&] {
    (void)var.set(1);
    Context inner = copy_context();
    inner.run([&] {
      EXPECT_EQ(var.get(), 1);
      (void)var.set(2);
      EXPECT_EQ(var.get(), 2);
    });
    EXPECT_EQ(var.get(), 1);
    EXPECT_EQ(inner.run([&] { return var.get(); }), 2);
  });
}

TEST(Context, ValuesSetInACopyDoNotShowInTheOriginal) {
  ContextVar<int> var("v");
  Context original;
  original.run([&] { (void)var.set(1); });
  Context copy = original.copy();
  copy.run([&] { (void)var.set(2); });
  EXPECT_EQ(original.run([&] { return var.get(); }), 1);
  EXPECT_EQ(copy.run([&] { return var.get(); }), 2);
}

TEST(Context, RunPassesArgumentsAndReturnsTheResult) {
  Context ctx;
  EXPECT_EQ(ctx.run([](int a, int b) { return a + b; }, 2, 3), 5);
  std::string moved = ctx.run([](std::string s) { return s + "!"; }, std::string("hi"));
  EXPECT_EQ(moved, "hi!");
}

TEST(Context, RunRestoresPreviousContextWhenCallableThrows) {
  ContextVar<int> var("v");
  Context outer;
  Context inner;
  outer.run([&] {
    (void)var.set(1);
    EXPECT_THROW(inner.run([&] {
      (void)var.set(2);
      throw std::runtime_error("boom");
    }),
                 std::runtime_error);
    EXPECT_EQ(var.get(), 1);
  });
  // inner was left too: it can be entered again.
  EXPECT_EQ(inner.run([&] { return var.get(); }), 2);
}

TEST(Context, EnteringAnEnteredContextThrowsRuntimeError) {
  Context ctx;
  ctx.run([&] {
    try {
      ctx.run([] {});
      ADD_FAILURE() << "nested run of the same context did not throw";
    } catch (const RuntimeError& e) {
      EXPECT_NE(std::string(e.what()).find("is already entered"), std::string::npos) << e.what();
    }
  });
  ctx.run([] {});  // The failed entry did not leave the context marked entered.
}

TEST(Context, ContextSurvivesItsHandleBeingReassignedInsideRun) {
  ContextVar<int> var("v");
  auto ctx = std::make_unique<Context>();
  ctx->run([&] {
    ctx.reset();
    (void)var.set(1);
    EXPECT_EQ(var.get(), 1);
  });
}

TEST(Context, AContextEnteredOnOneThreadCannotBeEnteredOnAnother) {
  Context ctx;
  std::latch entered(1);
  std::latch release(1);
  std::thread holder([&] {
    ctx.run([&] {
      entered.count_down();
      release.wait();
    });
  });
  entered.wait();
  EXPECT_THROW(ctx.run([] {}), RuntimeError);
  release.count_down();
  holder.join();
  ctx.run([] {});  // Free again once the other thread left.
}

TEST(Context, WritesInOneRunAreSeenByTheNextRunOnAnotherThread) {
  ContextVar<int> var("v", 0);
  Context ctx;
  for (int round = 1; round <= 50; ++round) {
    std::thread([&] { ctx.run([&] { (void)var.set(var.get() + 1); }); }).join();
  }
  // Two threads race to enter: a run either gets in alone (and increments) or throws.
  auto try_rounds = [&] {
    int done = 0;
    for (int i = 0; i < 200; ++i) {
      try {
        ctx.run([&] { (void)var.set(var.get() + 1); });
        ++done;
      } catch (const RuntimeError&) {
      }
    }
    return done;
  };
  int done_a = 0;
  std::thread a([&] { done_a = try_rounds(); });
  const int done_main = try_rounds();
  a.join();
  EXPECT_EQ(ctx.run([&] { return var.get(); }), 50 + done_a + done_main);
}

TEST(Context, EachNewThreadStartsWithAnEmptyContext) {
  ContextVar<int> var("v");
  Context ctx;
  ctx.run([&] {
    (void)var.set(1);
    bool empty = false;
    std::optional<int> seen;
    std::thread([&] {
      empty = copy_context().empty();
      seen = var.get(-1);
      (void)var.set(2);  // Into the thread's own base context.
      EXPECT_EQ(var.get(), 2);
    }).join();
    EXPECT_TRUE(empty);
    EXPECT_EQ(seen, -1);
    EXPECT_EQ(var.get(), 1);
  });
}

TEST(Context, TheThreadBaseContextKeepsValuesOutsideRun) {
  ContextVar<int> var("v");
  std::thread([&] {
    const Token<int> token = var.set(5);
    EXPECT_EQ(Context().run([&] { return var.get(0); }), 0);
    EXPECT_EQ(var.get(), 5);
    var.reset(token);
    EXPECT_TRUE(copy_context().empty());
  }).join();
}

}  // namespace
}  // namespace offload::runtime
