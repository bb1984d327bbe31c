#pragma once
// The rules configuration (doc/formats.md §2, defaults of doc/rules.md §8). Plain data: readers live
// in lib/io; the rules only read it.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace linemgr::core {

// exclude_manager_engagements (H6.3).
enum class exclude_managers { off, any_unit, same_unit };
// tie_policy (S5).
enum class tie_policy { skip_unit, lowest_person_id };
// termination_scope (S8).
enum class termination_scope { managed_units, all_managers, none };
// validity.action (V5).
enum class validity_action { terminate, vacate };
// validity.engagement_scope (V3).
enum class engagement_scope { any_unit, same_unit };
// elevation.terminate_others (E3).
enum class terminate_others { none, same_type, all };
// elevation.move (E5).
enum class move_policy { never, if_not_in_unit, always };

// Whether a whole text matches a pattern. The configuration reader (lib/io, compile_pattern)
// compiles patterns with RE2: linear time, no recursion, whatever the text.
class text_pattern {
 public:
  virtual ~text_pattern() = default;
  // True when all of `text` matches.
  virtual bool full_match(std::string_view text) const = 0;
};

// A level pattern: its source text and its matcher (full match).
struct level_pattern {
  std::string source;
  std::shared_ptr<const text_pattern> pattern;
};

// The built-in matcher of the default levels: `source` literally, except that each `[0-9]` stands
// for one ASCII digit. Needs no regex engine.
std::shared_ptr<const text_pattern> digit_pattern(std::string source);

// Every rule setting; default-constructed it holds the defaults of doc/rules.md §8.
struct config {
  struct modules_t {
    bool hierarchy = true, managers = true, validity = true, elevation = false;
  } modules;

  struct hierarchy_t {
    std::vector<std::string> top_level, hidden_roots, self_owned_roots, external_roots;
    bool enable_hide_logic = true;
    std::vector<level_pattern> levels = default_levels();
    std::vector<std::string> hidden_engagement_types;
    exclude_managers exclude_manager_engagements = exclude_managers::off;
    bool count_associations = true;
    struct classes_t {
      std::string line_management = "linjeorg", self_owned = "selvejet", external = "external",
                  hidden = "hide", outside = "NA";
    } classes;
  } hierarchy;

  struct managers_t {
    std::string leder_suffix = "_leder", excluded_prefix = "Ø_", led_adm_suffix = "led-adm";
    std::string manager_type = "Leder";
    std::vector<std::string> responsibilities;
    tie_policy ties = tie_policy::skip_unit;
    termination_scope termination = termination_scope::managed_units;
    bool update_level_on_mismatch = true;
    std::vector<std::pair<std::string, std::string>> level_mapping;  // unit level -> manager level
  } managers;

  struct validity_t {
    validity_action action = validity_action::terminate;
    engagement_scope scope = engagement_scope::any_unit;
    std::vector<std::string> ignored_engagement_types;
  } validity;

  struct elevation_t {
    terminate_others others = terminate_others::same_type;
    move_policy move = move_policy::if_not_in_unit;
    int window_days = 7;
  } elevation;

  // Guard rails for writing to OS2mo (doc/formats.md §2 [safety]); 0 turns a limit off.
  struct safety_t {
    std::size_t max_changes = 0;                // changes in one run
    std::size_t max_class_changes_percent = 20;  // units changing class, in % of the current units (above 10 units)
    std::size_t max_managers_ended = 100;       // managers ended or vacated in one run
  } safety;

  // The default `levels`: NY0-niveau … NY9-niveau and Afdelings-niveau.
  static std::vector<level_pattern> default_levels() {
    std::vector<level_pattern> out;
    for (const char* s : {"NY[0-9]-niveau", "Afdelings-niveau"}) out.push_back({s, digit_pattern(s)});
    return out;
  }
};

}  // namespace linemgr::core
