// Every combination of the executor's strategy options, for value-parameterized tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/thread_pool_executor.hpp"

namespace offload::runtime::testing {

// park/spin_then_park x always/if_idle/if_no_spinner x cpython/queue_only pool locks, with the
// default spin.
inline std::vector<ExecutorOptions> all_option_combinations() {
  std::vector<ExecutorOptions> all;
  for (WorkerIdle idle : {WorkerIdle::kPark, WorkerIdle::kSpinThenPark})
    for (Signal signal : {Signal::kAlways, Signal::kIfIdle, Signal::kIfNoSpinner})
      for (PoolLocks locks : {PoolLocks::kCPython, PoolLocks::kQueueOnly}) {
        ExecutorOptions options;
        options.worker_idle = idle;
        options.signal = signal;
        options.pool_locks = locks;
        all.push_back(options);
      }
  return all;
}

// "park_always_cpython", "spin_then_park_if_idle_queue_only", ...: the test-name suffix of one
// combination.
inline std::string option_name(const ::testing::TestParamInfo<ExecutorOptions>& info) {
  return std::string(to_string(info.param.worker_idle)) + "_" + std::string(to_string(info.param.signal)) + "_" +
         std::string(to_string(info.param.pool_locks));
}

}  // namespace offload::runtime::testing
