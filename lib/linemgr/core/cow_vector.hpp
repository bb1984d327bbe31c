#pragma once
// A vector whose copies share their elements until one of them is changed (copy on write): the
// snapshot that planning copies (its virtual snapshot, doc/rules.md G4) shares every table that
// planning does not change instead of doubling the model's memory.
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <vector>

namespace linemgr::core {

// The std::vector operations the model uses. Const access never copies; any non-const access
// first makes the elements this object's own (a copy when they are shared), so a non-const
// reference or iterator stays valid exactly as long as it would for a std::vector.
template <class T>
class cow_vector {
 public:
  using value_type = T;
  using size_type = std::size_t;
  using iterator = typename std::vector<T>::iterator;
  using const_iterator = typename std::vector<T>::const_iterator;

  cow_vector() = default;
  cow_vector(std::initializer_list<T> items) : v_(std::make_shared<std::vector<T>>(items)) {}
  explicit cow_vector(std::size_t n) : v_(std::make_shared<std::vector<T>>(n)) {}
  cow_vector(std::size_t n, const T& value) : v_(std::make_shared<std::vector<T>>(n, value)) {}

  std::size_t size() const { return v_ ? v_->size() : 0; }
  bool empty() const { return size() == 0; }
  const T& operator[](std::size_t i) const { return (*v_)[i]; }
  const T* data() const { return v_ ? v_->data() : nullptr; }
  const T& front() const { return v_->front(); }
  const T& back() const { return v_->back(); }
  const_iterator begin() const { return v_ ? v_->cbegin() : const_iterator(); }
  const_iterator end() const { return v_ ? v_->cend() : const_iterator(); }
  const_iterator cbegin() const { return begin(); }
  const_iterator cend() const { return end(); }

  T& operator[](std::size_t i) { return own()[i]; }
  T* data() { return own().data(); }
  T& front() { return own().front(); }
  T& back() { return own().back(); }
  iterator begin() { return own().begin(); }
  iterator end() { return own().end(); }
  void push_back(const T& item) { own().push_back(item); }
  void push_back(T&& item) { own().push_back(std::move(item)); }
  template <class... Args>
  T& emplace_back(Args&&... args) { return own().emplace_back(std::forward<Args>(args)...); }
  template <class It>
  iterator insert(const_iterator pos, It first, It last) {
    const auto at = pos - begin();
    std::vector<T>& v = own();
    return v.insert(v.begin() + at, first, last);
  }
  void reserve(std::size_t n) { own().reserve(n); }
  void resize(std::size_t n) { own().resize(n); }
  void assign(std::size_t n, const T& value) { own().assign(n, value); }
  void clear() { own().clear(); }

 private:
  std::vector<T>& own() {
    if (!v_) v_ = std::make_shared<std::vector<T>>();
    else if (v_.use_count() > 1) v_ = std::make_shared<std::vector<T>>(*v_);
    return *v_;
  }
  std::shared_ptr<std::vector<T>> v_;
};

}  // namespace linemgr::core
