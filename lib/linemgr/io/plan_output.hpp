#pragma once
// Plans as people and programs read them (doc/formats.md §3).
#include <string>
#include <string_view>

#include <linemgr/core/plan.hpp>
#include <linemgr/core/saved_plan.hpp>
#include <linemgr/io/text_sink.hpp>

namespace linemgr::io {

using namespace linemgr::core;

// The plan as plan_to_json / plan_to_text give it, written to `out` as it is produced: neither the
// whole text nor the whole plan with ids is ever held.
void write_plan_json(text_sink& out, const snapshot& snap, const plan& p, const apply_report* applied);
void write_plan_text(text_sink& out, const snapshot& snap, const plan& p, const apply_report* applied, bool colour = false);
void write_plan_json(text_sink& out, const saved_plan& p, const apply_report* applied, bool with_basis = false);
void write_plan_text(text_sink& out, const saved_plan& p, const apply_report* applied, bool colour = false);

// The plan as one `linemgr-plan/1` JSON document; `applied` null for a dry run.
std::string plan_to_json(const snapshot& snap, const plan& p, const apply_report* applied);
// The plan as text for people: changes grouped by the unit they are about (in plan order), each
// with a marker (+ created, ~ changed, - ended), its subject named, its period and its reason;
// then the diagnostics and a summary (for a dry run, what applying would do, in words).
// `colour`: ANSI colours for a terminal (markers, unit headers, diagnostic levels).
std::string plan_to_text(const snapshot& snap, const plan& p, const apply_report* applied, bool colour = false);
// What the plan will do, in words: "create 3 managers, end 2 managers, change the class of 5 units".
std::string plan_in_words(const plan& p);
// The same from a plan with ids (saved_from); `with_basis` adds what `--out` saves: the basis
// and each change's fingerprint (doc/formats.md §3 "Saved plans").
std::string plan_to_json(const saved_plan& p, const apply_report* applied, bool with_basis = false);
std::string plan_to_text(const saved_plan& p, const apply_report* applied, bool colour = false);

}  // namespace linemgr::io
