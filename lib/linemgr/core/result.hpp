#pragma once
// Recoverable errors: result<T> holds a value or an error, status (result<void>) success or an error.
#include <string>
#include <utility>
#include <variant>

namespace linemgr::core {

// What kind of failure an error is; the CLI maps each kind to one exit status (doc/formats.md §5).
enum class error_kind { usage, data, config, io, unavailable, refused };

// A recoverable error: its kind and one line for people, naming the place and the fix.
struct error {
  error_kind kind = error_kind::data;
  std::string message;
};

// Either a T or an error. Discarding one is a compile-time warning: errors are handled or passed on.
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  result(error e) : state_(std::move(e)) {}      // NOLINT(google-explicit-constructor)
  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const error& err() const { return std::get<1>(state_); }

 private:
  std::variant<T, error> state_;
};

// Success (default-constructed, `return {};`) or an error.
template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(error e) : error_(std::move(e)), failed_(true) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const error& err() const { return error_; }

 private:
  error error_;
  bool failed_ = false;
};

// The outcome of an operation that returns nothing but may fail.
using status = result<void>;

}  // namespace linemgr::core
