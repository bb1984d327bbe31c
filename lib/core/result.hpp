#pragma once
// A small result type for recoverable errors: a value or an error, never both.
#include <string>
#include <utility>
#include <variant>

namespace linemgr {

// What kind of failure an error is; the CLI maps each kind to one exit status.
enum class error_kind { usage, data, config, io, unavailable };

// A recoverable error: its kind and one line for people, naming the place and the fix.
struct error {
  error_kind kind = error_kind::data;
  std::string message;
};

// Either a T or an error.
template <class T>
class result {
 public:
  result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  result(error e) : state_(std::move(e)) {}      // NOLINT(google-explicit-constructor)
  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const error& err() const { return std::get<1>(state_); }

 private:
  std::variant<T, error> state_;
};

}  // namespace linemgr
