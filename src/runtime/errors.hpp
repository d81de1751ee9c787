// The exceptions the runtime raises, named after their Python counterparts so a reader of
// asyncio / concurrent.futures finds the same failure in the same place.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

namespace offload::runtime {

// asyncio.CancelledError / concurrent.futures.CancelledError: the awaited operation was
// cancelled. what() is the cancel message ("" when none was given).
class CancelledError : public std::runtime_error {
 public:
  explicit CancelledError(const std::string& message = "") : std::runtime_error(message) {}
};

// asyncio.InvalidStateError: result()/exception() on a pending future, set_result() on a
// done one.
class InvalidStateError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// TimeoutError: result(timeout) or wait_for() ran out of time.
class TimeoutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// LookupError: ContextVar::get() with no value and no default.
class LookupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ValueError: an argument of the right type with a wrong value (a Token from another
// ContextVar or Context).
class ValueError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// RuntimeError: an operation the object's current state forbids (entering an entered
// Context, submitting after shutdown, using a loop from a thread that does not run it).
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Prints an exception nobody can receive any more to stderr, as one line naming `where` it
// escaped, and returns: CPython logs such exceptions (a raising done-callback, a callback on the
// loop) and carries on. Safe from any thread.
void report_uncaught(std::exception_ptr error, std::string_view where) noexcept;

}  // namespace offload::runtime
