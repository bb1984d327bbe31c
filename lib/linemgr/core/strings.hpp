#pragma once
// Stable string storage and string-to-index lookup for interned ids.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace linemgr::core {

// An index into one of a snapshot's tables; `no_index` means none.
using index_t = std::uint32_t;
inline constexpr index_t no_index = static_cast<index_t>(-1);

// Append-only storage: every view it returns stays valid as long as the arena lives.
class string_arena {
 public:
  // Copies `text` into the arena and returns a view of the copy.
  std::string_view store(std::string_view text);
  // Takes ownership of a buffer whose contents are already referenced by views.
  void adopt(std::unique_ptr<char[]> buffer);

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cursor_ = nullptr;
  std::size_t left_ = 0;
};

// An open-addressing hash map from string views (owned elsewhere) to indices. Each value is given
// at most one key (values are the indices of the records the keys name). A slot is 8 bytes (value
// and 32 bits of the key's hash), the keys are kept by value. Copies share the table until one of
// them inserts a new key (copy on write): a snapshot copied for planning does not copy the indexes
// of the records planning never adds to.
class id_index {
 public:
  // Reserves room for `n` keys without rehashing.
  void reserve(std::size_t n);
  // Inserts key -> value; returns the existing value instead when the key is present.
  index_t insert(std::string_view key, index_t value);
  // The value stored for `key`, or no_index.
  index_t find(std::string_view key) const;
  std::size_t size() const { return size_; }

 private:
  struct slot {
    index_t value = no_index;
    std::uint32_t tag = 0;  // high bits of the key's hash: where the slot belongs, and most mismatches end here
  };
  struct tables {
    std::vector<slot> slots;
    std::vector<std::string_view> keys;  // by value
  };
  // The slot a key with `tag` is looked for first.
  std::size_t home(std::uint32_t tag) const;
  index_t find_tagged(std::string_view key, std::uint32_t tag) const;
  // The tables, made this copy's own before a change.
  tables& own();
  std::shared_ptr<tables> tables_ = std::make_shared<tables>();
  std::size_t size_ = 0;
  unsigned bits_ = 0;  // log2 of the number of slots
};

// 64-bit FNV-1a hash of a string.
std::uint64_t hash_string(std::string_view text);

// A uuid-shaped id (version nibble 8: custom) made of two 64-bit values.
std::string uuid_like(std::uint64_t a, std::uint64_t b);

}  // namespace linemgr::core
