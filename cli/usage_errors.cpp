#include "usage_errors.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include <fmt/format.h>

namespace linemgr::cli {

namespace {

// Edit distance, for suggestions.
std::size_t distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// "; did you mean X?" for the nearest candidate within a few edits, else "".
std::string suggestion(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(3, word.size() / 3) + 1;
  for (const std::string& c : candidates)
    if (const std::size_t d = distance(word, c); d < best_distance) best = c, best_distance = d;
  return best.empty() ? "" : fmt::format("; did you mean {}?", best);
}

// The deepest subcommand that was parsed ("" for none), and the app itself.
const CLI::App* deepest(const CLI::App& app, std::string& path) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (sub->parsed()) {
      path += (path.empty() ? "" : " ") + sub->get_name();
      return deepest(*sub, path);
    }
  return &app;
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> out;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) out.push_back(sub->get_name());
  return out;
}

std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> out;
  for (const CLI::Option* opt : app.get_options())
    for (const std::string& name : opt->get_lnames()) out.push_back("--" + name);
  return out;
}

// The allowed values of options that take one of a few words.
const std::map<std::string, std::string>& choices() {
  static const std::map<std::string, std::string> table = {
      {"--format", "text or json"},     {"--log-format", "text or json"},
      {"--source", "stdin, amqp or mo-events"},
      {"--state", "held, pending, failed, delivering, delivered or dead"}};
  return table;
}

}  // namespace

std::string usage_error_message(const CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args) {
  const int argc = static_cast<int>(args.size()) + 1;
  auto arg = [&](int i) -> const std::string& { return args[static_cast<std::size_t>(i - 1)]; };
  std::string path;
  const CLI::App* at = deepest(app, path);
  const std::string who = path.empty() ? "linemgr" : "linemgr " + path;
  const std::string help = fmt::format(" (see {} --help)", who);
  const std::string what = e.what();

  if (e.get_name() == "RequiredError" && what.find("subcommand is required") != std::string::npos) {
    // The first word after the commands parsed so far names no command.
    std::size_t depth = path.empty() ? 0 : static_cast<std::size_t>(std::count(path.begin(), path.end(), ' ') + 1);
    std::string word;
    for (int i = 1; i < argc; ++i) {
      const std::string a = arg(i);
      if (a.starts_with("-")) continue;
      if (depth-- == 0) {
        word = a;
        break;
      }
    }
    const std::vector<std::string> names = subcommand_names(*at);
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    if (word.empty()) return fmt::format("{}: name a command: {}{}", who, list, help);
    return fmt::format("{}: unknown command \"{}\"{}{}", who, word, suggestion(word, names), help);
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    // The first argument not understood, as the user wrote it.
    for (int i = 1; i < argc; ++i) {
      std::string a = arg(i);
      if (!a.starts_with("-")) continue;
      const std::string flag = a.substr(0, a.find('='));
      const std::vector<std::string> names = option_names(*at);
      if (std::find(names.begin(), names.end(), flag) == names.end() && flag != "-h" && flag != "--help")
        return fmt::format("{}: unknown option \"{}\"{}{}", who, flag, suggestion(flag, names), help);
    }
    std::string extras = what.substr(what.find(':') == std::string::npos ? 0 : what.find(':') + 2);
    extras = extras.substr(0, extras.find('\n'));
    return fmt::format("{}: unexpected argument \"{}\"{}", who, extras, help);
  }
  if (e.get_name() == "ValidationError" || e.get_name() == "ConversionError") {
    const std::string option = what.substr(0, what.find(':'));
    if (const auto c = choices().find(option); c != choices().end()) {
      std::string value;
      for (int i = 1; i + 1 < argc; ++i)
        if (arg(i) == option) value = arg(i + 1);
      for (int i = 1; i < argc; ++i)
        if (std::string a = arg(i); a.starts_with(option + "=")) value = a.substr(option.size() + 1);
      return fmt::format("{}: {} \"{}\": expected {}", who, option, value, c->second);
    }
  }
  if (what.starts_with("--") && what.find("required") != std::string::npos && what.find("missing") != std::string::npos)
    return fmt::format("{}: {} needs a value{}", who, what.substr(0, what.find(':')), help);
  // Anything else: CLI11's sentence, without its "Run with --help" line.
  std::string line = what.substr(0, what.find('\n'));
  return fmt::format("{}: {}{}", who, line, help);
}

}  // namespace linemgr::cli
