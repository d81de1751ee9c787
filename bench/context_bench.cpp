// contextvars primitives: copy_context() (step 1 of every to_thread), Context::run (what the
// worker and every loop callback enter), ContextVar get and set + reset.
//
// Every benchmark runs its body inside a fresh, empty Context, so the variables it sets never
// reach the benchmark thread's own context, which later benchmarks copy (every call_soon
// does), and the numbers of one benchmark do not depend on which ran before it.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "counters.hpp"
#include "runtime/context.hpp"

namespace offload::bench {
namespace {

using runtime::Context;
using runtime::ContextVar;

// Ops in each counting pass: these ops are 5-100 ns, so 1000 costs well under a millisecond.
constexpr std::int64_t kCountingOps = 1000;

// `count` ContextVars, each set to its index in the current context.
class SetVars {
 public:
  explicit SetVars(std::int64_t count) {
    for (std::int64_t i = 0; i < count; ++i) {
      vars_.push_back(std::make_unique<ContextVar<std::int64_t>>("var" + std::to_string(i)));
      (void)vars_.back()->set(i);  // The token is not needed: the whole context is dropped.
    }
  }

 private:
  std::vector<std::unique_ptr<ContextVar<std::int64_t>>> vars_;
};

// One iteration: copy_context() with state.range(0) variables set. O(1) whatever the count (the
// HAMT root is shared), one allocation (the Context object); its destruction is timed too.
void BM_CopyContext(benchmark::State& state) {
  Context().run([&state] {
    SetVars vars(state.range(0));
    count_ops(state, kCountingOps, [] { benchmark::DoNotOptimize(runtime::copy_context()); });
    for (auto _ : state) {
      Context copy = runtime::copy_context();
      benchmark::DoNotOptimize(copy);
    }
  });
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CopyContext)->ArgName("vars")->Arg(0)->Arg(1)->Arg(8)->Arg(64);

// One iteration: Context::run of a no-op on a context with one variable set — enter (acquire
// exchange of the entered flag, swap the thread's current context, take a reference) and exit.
void BM_ContextRun(benchmark::State& state) {
  ContextVar<std::int64_t> var("run_var");
  Context context;
  context.run([&var] { (void)var.set(1); });
  const auto no_op = [] { benchmark::ClobberMemory(); };
  count_ops(state, kCountingOps, [&] { context.run(no_op); });
  for (auto _ : state) context.run(no_op);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ContextRun);

// One iteration: ContextVar::get() of a variable set in the current context (a HAMT lookup
// in the thread's current context).
void BM_ContextVarGet(benchmark::State& state) {
  Context().run([&state] {
    ContextVar<std::int64_t> var("get_var");
    (void)var.set(42);
    count_ops(state, kCountingOps, [&] { benchmark::DoNotOptimize(var.get()); });
    for (auto _ : state) benchmark::DoNotOptimize(var.get());
  });
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ContextVarGet);

// One iteration: token = var.set(i); var.reset(token) — the boxed value, a new HAMT root for
// the set and another for the reset, the Token (which holds a reference to the context).
void BM_ContextVarSet(benchmark::State& state) {
  Context().run([&state] {
    ContextVar<std::int64_t> var("set_var");
    std::int64_t i = 0;
    const auto set_reset = [&] {
      auto token = var.set(++i);
      var.reset(token);
    };
    count_ops(state, kCountingOps, set_reset);
    for (auto _ : state) set_reset();
  });
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ContextVarSet);

}  // namespace
}  // namespace offload::bench
