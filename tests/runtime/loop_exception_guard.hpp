// Test helper shared by the completion-path tests: a loop whose exception handler fails the
// test, since a callback that throws (a double delivery, say) would otherwise only be printed.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <string_view>

#include "runtime/event_loop.hpp"

namespace offload::runtime {

inline void fail_on_loop_exceptions(EventLoop& loop) {
  loop.set_exception_handler([](std::exception_ptr error, std::string_view where) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "exception in " << where << ": " << e.what();
    }
  });
}

}  // namespace offload::runtime
