#include "core/strings.hpp"

#include <cstring>

namespace linemgr {

std::string_view string_arena::store(std::string_view text) {
  if (text.empty()) return {};
  if (text.size() > left_) {
    const std::size_t size = text.size() > 16384 ? text.size() : 65536;
    blocks_.push_back(std::make_unique<char[]>(size));
    cursor_ = blocks_.back().get();
    left_ = size;
  }
  std::memcpy(cursor_, text.data(), text.size());
  std::string_view out(cursor_, text.size());
  cursor_ += text.size();
  left_ -= text.size();
  return out;
}

void string_arena::adopt(std::unique_ptr<char[]> buffer) {
  // Insert before the current block so the open block stays at the back.
  blocks_.insert(blocks_.begin(), std::move(buffer));
}

std::uint64_t hash_string(std::string_view text) {
  std::uint64_t h = 1469598103934665603ull;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h ^ (h >> 29);
}

void id_index::reserve(std::size_t n) {
  std::size_t want = 16;
  while (want < n * 2) want *= 2;
  if (want <= slots_.size()) return;
  std::vector<slot> old = std::move(slots_);
  slots_.assign(want, slot{});
  size_ = 0;
  for (const slot& s : old)
    if (s.value != no_index) insert(s.key, s.value);
}

void id_index::grow() { reserve(slots_.empty() ? 8 : slots_.size()); }

index_t id_index::insert(std::string_view key, index_t value) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash_string(key) & mask;; i = (i + 1) & mask) {
    slot& s = slots_[i];
    if (s.value == no_index) {
      s.key = key;
      s.value = value;
      ++size_;
      return value;
    }
    if (s.key == key) return s.value;
  }
}

index_t id_index::find(std::string_view key) const {
  if (slots_.empty()) return no_index;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash_string(key) & mask;; i = (i + 1) & mask) {
    const slot& s = slots_[i];
    if (s.value == no_index) return no_index;
    if (s.key == key) return s.value;
  }
}

}  // namespace linemgr
