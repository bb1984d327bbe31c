#include <linemgr/core/strings.hpp>

#include <cstdio>
#include <cstring>

namespace linemgr::core {

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
  h ^= h >> 33;  // murmur3 finalizer: spreads every input bit over the low bits the table uses
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

namespace {

// The product of two 64-bit values folded to 64 bits: a strong, fast mix.
std::uint64_t fold_multiply(std::uint64_t a, std::uint64_t b) {
  __extension__ using wide = unsigned __int128;
  const wide r = static_cast<wide>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}

// The hash the index tables use: eight bytes at a time (an id is about 36), not the byte-wise
// FNV-1a of hash_string, whose values are part of derived ids and so cannot change.
std::uint64_t index_hash(std::string_view key) {
  constexpr std::uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull, k2 = 0x8ebc6af09c88c6e3ull;
  const char* p = key.data();
  std::size_t n = key.size();
  std::uint64_t h = k0 ^ n;
  while (n >= 16) {
    std::uint64_t a, b;
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + 8, 8);
    h = fold_multiply(a ^ k1, b ^ h);
    p += 16;
    n -= 16;
  }
  std::uint64_t a = 0, b = 0;
  if (n > 8) {
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + 8, n - 8);
  } else if (n > 0) {
    std::memcpy(&a, p, n);
  }
  return fold_multiply(fold_multiply(a ^ k1, b ^ h ^ k2), k2 ^ key.size());
}

}  // namespace

std::size_t id_index::home(std::uint32_t tag) const {
  return static_cast<std::size_t>((tag * 0x9E3779B97F4A7C15ull) >> (64 - bits_));  // Fibonacci hashing
}

index_t id_index::find_tagged(std::string_view key, std::uint32_t tag) const {
  const tables& t = *tables_;
  if (t.slots.empty()) return no_index;
  const std::size_t mask = t.slots.size() - 1;
  for (std::size_t i = home(tag);; i = (i + 1) & mask) {
    const slot s = t.slots[i];
    if (s.value == no_index) return no_index;
    if (s.tag == tag && t.keys[s.value] == key) return s.value;
  }
}

id_index::tables& id_index::own() {
  if (tables_.use_count() > 1) tables_ = std::make_shared<tables>(*tables_);
  return *tables_;
}

void id_index::reserve(std::size_t n) {
  std::size_t want = 16;
  unsigned bits = 4;
  while (want * 3 < n * 4) want *= 2, ++bits;  // at most three quarters full
  if (want <= tables_->slots.size()) return;
  auto grown = std::make_shared<tables>();
  grown->slots.resize(want);
  if (tables_.use_count() == 1) grown->keys = std::move(tables_->keys);  // else a copy shares them
  else grown->keys = tables_->keys;
  grown->keys.reserve(want * 3 / 4);
  bits_ = bits;
  const std::size_t mask = want - 1;
  for (const slot& s : tables_->slots) {
    if (s.value == no_index) continue;
    std::size_t i = home(s.tag);
    while (grown->slots[i].value != no_index) i = (i + 1) & mask;
    grown->slots[i] = s;
  }
  tables_ = std::move(grown);
}

index_t id_index::insert(std::string_view key, index_t value) {
  const auto tag = static_cast<std::uint32_t>(index_hash(key) >> 32);
  if (const index_t there = find_tagged(key, tag); there != no_index) return there;
  if ((size_ + 1) * 4 > tables_->slots.size() * 3) reserve(size_ + 1);
  tables& t = own();
  const std::size_t mask = t.slots.size() - 1;
  std::size_t i = home(tag);
  while (t.slots[i].value != no_index) i = (i + 1) & mask;
  t.slots[i] = {value, tag};
  if (t.keys.size() <= value) t.keys.resize(static_cast<std::size_t>(value) + 1);
  t.keys[value] = key;
  ++size_;
  return value;
}

index_t id_index::find(std::string_view key) const {
  return find_tagged(key, static_cast<std::uint32_t>(index_hash(key) >> 32));
}

std::string uuid_like(std::uint64_t a, std::uint64_t b) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-8%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFF),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3FFF)),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return buf;
}

}  // namespace linemgr::core
