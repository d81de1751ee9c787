// The probes. Each one is a coroutine on a fresh loop whose default executor has one worker,
// run through strategy::offload_call — or, with gather=batched, through runtime::offload_batch —
// exactly as the measured workload runs its jobs.
#include "strategy/conformance.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "runtime/asyncio.hpp"
#include "strategy/dispatch.hpp"
#include "strategy/offload_call.hpp"
#include "strategy/runtime_options.hpp"

namespace offload::strategy {
namespace {

using runtime::Context;
using runtime::ContextVar;
using runtime::Coroutine;
using runtime::EventLoop;

template <class Body>
ProbeResult run_probe(const Selection& selection, Guarantee g, Body body) {
  ProbeResult result{g, false, false, ""};
  // Probes start from an empty context: a fresh Context, whatever the calling thread holds.
  Context empty;
  empty.run([&] {
    EventLoop loop(loop_options(selection));
    loop.set_default_executor(
        std::make_unique<runtime::ThreadPoolExecutor>(1, "probe", executor_options(selection)));
    try {
      result.detail = loop.run_until_complete(body(loop));
      result.passed = result.detail.empty();
    } catch (const std::exception& e) {
      result.detail = std::string("probe failed: ") + e.what();
    }
  });
  if (result.passed) result.detail = "ok";
  return result;
}

// Awaits `offload`, whose job throws std::out_of_range("probe"): "" when that exception reaches
// the await unchanged, otherwise what arrived instead.
template <class T>
Coroutine<std::string> probe_exception_reaches(Coroutine<T> offload) {
  try {
    co_await std::move(offload);
  } catch (const std::out_of_range& e) {
    co_return std::string(e.what()) == "probe" ? "" : std::string("message became '") + e.what() + "'";
  } catch (const std::exception& e) {
    co_return std::string("exception type changed: ") + e.what();
  }
  co_return "no exception reached the await";
}

// Awaits a cancelled task: "" when the await raises CancelledError, otherwise the problem.
template <class Task>
Coroutine<std::string> cancelled_error_problem(Task victim) {
  try {
    co_await std::move(victim);
  } catch (const runtime::CancelledError&) {
    co_return "";
  }
  co_return "the awaiting task finished instead of raising CancelledError";
}

template <class O, class C, class E, class D>
std::vector<ProbeResult> probe_all(const Selection& selection) {
  std::vector<ProbeResult> results;

  // The caller's ContextVar reaches the job.
  results.push_back(run_probe(selection, Guarantee::kContextPropagation, [](EventLoop& loop) -> Coroutine<std::string> {
    ContextVar<int> request("request_id", -1);
    request.set(7);
    int seen = co_await offload_call<O, C, E, D>(loop, [&request] { return request.get(); });
    co_return seen == 7 ? "" : "job saw request_id=" + std::to_string(seen) + ", caller set 7";
  }));

  // A job's ContextVar writes reach neither the caller nor the next job on that thread. The
  // caller's context is empty, the case where gh-136157 skips ctx.run.
  results.push_back(run_probe(selection, Guarantee::kJobIsolation, [](EventLoop& loop) -> Coroutine<std::string> {
    ContextVar<int> job_var("job_var", 0);
    co_await offload_call<O, C, E, D>(loop, [&job_var] { job_var.set(1); });
    const int caller_sees = job_var.get();
    const int next_sees = co_await offload_call<O, C, E, D>(loop, [&job_var] { return job_var.get(); });
    if (caller_sees != 0) co_return "caller saw job_var=" + std::to_string(caller_sees) + " set by a job";
    if (next_sees != 0)
      co_return "next job on the worker thread saw job_var=" + std::to_string(next_sees) +
          " set by the previous job (caller context empty)";
    co_return "";
  }));

  // An exception raised in the job is raised at the await, same type and message.
  results.push_back(run_probe(selection, Guarantee::kExceptionTransfer, [](EventLoop& loop) -> Coroutine<std::string> {
    co_return co_await probe_exception_reaches(offload_call<O, C, E, D>(loop, []() -> int { throw std::out_of_range("probe"); }));
  }));

  // Cancelling the awaiting task raises CancelledError there, and a job that had not started
  // when it was cancelled never runs.
  results.push_back(run_probe(selection, Guarantee::kCancellationTransfer, [](EventLoop& loop) -> Coroutine<std::string> {
    auto gate = std::make_shared<std::latch>(1);
    auto started = std::make_shared<std::atomic<bool>>(false);
    // With a shared executor this occupies its only worker, so the probed job stays queued.
    auto blocker = loop.run_in_executor(nullptr, [gate] { gate->wait(); });
    auto victim = loop.create_task(offload_call<O, C, E, D>(loop, [started] { started->store(true); }));
    co_await runtime::sleep(std::chrono::milliseconds(0));  // Let the victim submit its job.
    const bool had_started = started->load();
    victim->cancel();
    // The cancel reaches the ConcurrentFuture through a scheduled done-callback; let it run
    // before the worker is freed, or the worker may legitimately start the job first.
    co_await runtime::sleep(std::chrono::milliseconds(0));
    gate->count_down();
    co_await blocker;
    std::string problem = co_await cancelled_error_problem(victim);
    co_await runtime::sleep(std::chrono::milliseconds(5));  // Give a wrongly queued job time to run.
    // Only a shared executor's blocked worker guarantees the job was still queued at cancel();
    // a per-call pool may have started it in between, legitimately.
    constexpr bool job_was_held = std::is_same_v<E, ExecutorSharedDefault>;
    if (problem.empty() && job_was_held && !had_started && started->load())
      problem = "a job cancelled before it started ran anyway";
    co_return problem;
  }));
  return results;
}

// One offload_batch on the executor the Executor policy gives, as the batched workload runs it.
template <class O, class E, class F>
Coroutine<std::vector<runtime::InvokeValue<F>>> batch_of(EventLoop& loop, std::vector<F> calls) {
  auto lease = E::acquire({});
  co_return co_await runtime::offload_batch<O>(loop, lease.get(), std::move(calls));
}

// The same four guarantees, every offload going through one offload_batch (gather=batched). The
// state_copy and completion axes do not apply to a batch.
template <class O, class E>
std::vector<ProbeResult> probe_all_batched(const Selection& selection) {
  // More than two chunks, so ops of every chunk position are checked.
  static constexpr std::size_t kOps = 2 * runtime::kBatchChunk + 1;
  std::vector<ProbeResult> results;

  // The caller's ContextVar reaches every op.
  results.push_back(run_probe(selection, Guarantee::kContextPropagation, [](EventLoop& loop) -> Coroutine<std::string> {
    ContextVar<int> request("request_id", -1);
    request.set(7);
    auto read = [&request] { return request.get(); };
    const auto seen = co_await batch_of<O, E>(loop, std::vector<decltype(read)>(kOps, read));
    for (std::size_t i = 0; i < seen.size(); ++i)
      if (seen[i] != 7)
        co_return "op " + std::to_string(i) + " saw request_id=" + std::to_string(seen[i]) + ", caller set 7";
    co_return "";
  }));

  // Op 0 sets a ContextVar; neither the caller nor op 1, next on the same worker thread (same
  // chunk, one worker), may see it. The caller's context is empty.
  results.push_back(run_probe(selection, Guarantee::kJobIsolation, [](EventLoop& loop) -> Coroutine<std::string> {
    ContextVar<int> job_var("job_var", 0);
    std::vector<std::function<int()>> ops{[&job_var] {
                                            job_var.set(1);
                                            return 0;
                                          },
                                          [&job_var] { return job_var.get(); }};
    const auto seen = co_await batch_of<O, E>(loop, std::move(ops));
    const int caller_sees = job_var.get();
    if (caller_sees != 0) co_return "caller saw job_var=" + std::to_string(caller_sees) + " set by a job";
    if (seen[1] != 0)
      co_return "next job on the worker thread saw job_var=" + std::to_string(seen[1]) +
          " set by the previous job of the batch (caller context empty)";
    co_return "";
  }));

  // An exception raised by one op is raised at the await, same type and message.
  results.push_back(run_probe(selection, Guarantee::kExceptionTransfer, [](EventLoop& loop) -> Coroutine<std::string> {
    std::vector<std::function<int()>> ops(3, [] { return 0; });
    ops[1] = []() -> int { throw std::out_of_range("probe"); };
    co_return co_await probe_exception_reaches(batch_of<O, E>(loop, std::move(ops)));
  }));

  // Cancelling the awaiting task while the one worker is blocked raises CancelledError there,
  // and no op of the batch runs.
  results.push_back(run_probe(selection, Guarantee::kCancellationTransfer, [](EventLoop& loop) -> Coroutine<std::string> {
    auto gate = std::make_shared<std::latch>(1);
    auto ran = std::make_shared<std::atomic<int>>(0);
    // With a shared executor this occupies its only worker, so the batch's chunks stay queued.
    auto blocker = loop.run_in_executor(nullptr, [gate] { gate->wait(); });
    auto mark = [ran] { ran->fetch_add(1); };
    auto victim = loop.create_task(batch_of<O, E>(loop, std::vector<decltype(mark)>(kOps, mark)));
    co_await runtime::sleep(std::chrono::milliseconds(0));  // Let the victim submit its chunks.
    const bool had_started = ran->load() > 0;
    victim->cancel();
    gate->count_down();
    co_await blocker;
    std::string problem = co_await cancelled_error_problem(victim);
    co_await runtime::sleep(std::chrono::milliseconds(5));  // Give wrongly started jobs time to run.
    // Only a shared executor's blocked worker guarantees the chunks were still queued at cancel().
    constexpr bool jobs_were_held = std::is_same_v<E, ExecutorSharedDefault>;
    if (problem.empty() && jobs_were_held && !had_started && ran->load() > 0)
      problem = std::to_string(ran->load()) + " ops of a batch cancelled before it started ran anyway";
    co_return problem;
  }));
  return results;
}

}  // namespace

bool claims(const Selection& selection, Guarantee g) {
  for (const AxisInfo& axis : axes()) {
    const StrategyInfo* s = find_strategy(axis, selection.get(axis.id));
    if (s == nullptr || std::find(s->guarantees.begin(), s->guarantees.end(), g) == s->guarantees.end())
      return false;
  }
  return true;
}

std::vector<ProbeResult> probe_conformance(const Selection& selection) {
  const bool batched = gather_mode(selection) == GatherMode::kBatched;
  auto results = with_strategies(selection, [&]<class O, class C, class E, class D>(O, C, E, D) {
    return batched ? probe_all_batched<O, E>(selection) : probe_all<O, C, E, D>(selection);
  });
  for (ProbeResult& r : results) r.claimed = claims(selection, r.guarantee);
  return results;
}

}  // namespace offload::strategy
