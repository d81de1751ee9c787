// The whole runtime in one include: the loop, futures, tasks and the asyncio helpers.
#pragma once

#include "runtime/batch_offload.hpp"
#include "runtime/concurrent_future.hpp"
#include "runtime/context.hpp"
#include "runtime/coroutine.hpp"
#include "runtime/event_loop.hpp"
#include "runtime/future.hpp"
#include "runtime/future_chain.hpp"
#include "runtime/gather.hpp"
#include "runtime/semaphore.hpp"
#include "runtime/sleep.hpp"
#include "runtime/task.hpp"
#include "runtime/thread_pool_executor.hpp"
#include "runtime/to_thread.hpp"
#include "runtime/wait_for.hpp"
