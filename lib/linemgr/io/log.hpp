#pragma once
// Where the library's log lines go: a function the embedder supplies (the CLI writes them to
// standard error as text or JSON). The library never writes to a terminal itself.
#include <functional>
#include <string_view>

namespace linemgr::io {

// How much a line matters, as LOG_LEVEL names them.
enum class log_level { debug, info, warn, error };

// Takes one line (no trailing newline, never a secret).
using log_sink = std::function<void(log_level, std::string_view)>;

}  // namespace linemgr::io
