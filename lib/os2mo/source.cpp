// Reading a whole organisation from OS2mo into a snapshot: each collection page by page, written
// as a linemgr-snapshot/1 document that the snapshot reader then checks and interns.
#include <algorithm>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "io/snapshot_file.hpp"
#include "os2mo/client.hpp"
#include "os2mo/os2mo.hpp"
#include "os2mo/queries.hpp"
#include "os2mo/sink_internal.hpp"

namespace linemgr {

namespace {

using value = rapidjson::Value;
using writer_t = rapidjson::Writer<rapidjson::StringBuffer>;

// A response that lacks what the query asked for; names the operation and the path.
struct malformed {
  std::string message;
};

int last_sunday(int year, int month) {
  // The day of the month of the last Sunday of a 31-day month (March, October).
  const day last = days_from_civil(year, static_cast<unsigned>(month), 31);
  const int weekday = static_cast<int>((last + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday (4); 0 = Sunday
  return 31 - weekday;
}

class reader {
 public:
  reader(os2mo_client& client, writer_t& w) : client_(client), w_(w) {}

  // Pages through one collection, calling each(object, path) for every object.
  template <class Each>
  void collection(const char* operation, const char* document, const char* field, Each each) {
    std::string cursor;
    std::size_t index = 0;
    for (int pages = 0;; ++pages) {
      const std::string variables =
          cursor.empty() ? fmt::format(R"({{"limit": {}, "cursor": null}})", client_.settings().page_size)
                         : fmt::format(R"({{"limit": {}, "cursor": "{}"}})", client_.settings().page_size, cursor);
      rapidjson::Document doc;
      if (auto r = client_.execute(operation, document, variables, doc); !r) throw r.err();
      const value& paged = need(doc["data"], field, fmt::format("{}: data.{}", operation, field), &value::IsObject);
      const std::string path = fmt::format("{}: data.{}", operation, field);
      const value& objects = need(paged, "objects", path, &value::IsArray);
      for (const value& o : objects.GetArray()) each(o, fmt::format("{}.objects[{}]", path, index++));
      const value& info = need(paged, "page_info", path, &value::IsObject);
      const auto next = info.FindMember("next_cursor");
      if (next == info.MemberEnd()) throw malformed{path + ".page_info.next_cursor: missing"};
      if (next->value.IsNull()) return;  // a short or empty page is not the end; a null cursor is
      if (!next->value.IsString()) throw malformed{path + ".page_info.next_cursor: not a string"};
      cursor = next->value.GetString();
    }
  }

  static const value& need(const value& obj, const char* name, const std::string& path, bool (value::*is)() const) {
    if (!obj.IsObject()) throw malformed{path + ": not an object"};
    const auto m = obj.FindMember(name);
    if (m == obj.MemberEnd()) throw malformed{fmt::format("{}.{}: missing", path, name)};
    if (!(m->value.*is)()) throw malformed{fmt::format("{}.{}: unexpected type", path, name)};
    return m->value;
  }

  // The uuid of a `*_response { uuid }` member, or nullptr when it is null.
  static const value* ref_uuid(const value& obj, const char* name, const std::string& path) {
    if (!obj.IsObject()) throw malformed{path + ": not an object"};
    const auto m = obj.FindMember(name);
    if (m == obj.MemberEnd()) throw malformed{fmt::format("{}.{}: missing", path, name)};
    if (m->value.IsNull()) return nullptr;
    return &need(m->value, "uuid", fmt::format("{}.{}", path, name), &value::IsString);
  }

  void key(std::string_view k) { w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
  void str(const value& v) { w_.String(v.GetString(), v.GetStringLength()); }
  void str_or_null(const value* v) { v ? str(*v) : void(w_.Null()); }
  void date(std::string_view k, const value& v, const std::string& path) {
    key(k);
    if (v.IsNull()) {
      w_.Null();
      return;
    }
    const auto d = v.IsString() ? copenhagen_day({v.GetString(), v.GetStringLength()}) : std::nullopt;
    if (!d) throw malformed{fmt::format("{}.{}: not a timestamp", path, k)};
    const std::string text = format_date(*d);
    w_.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
  }

  // Writes {"id": uuid, "segments": [...]} with the validities sorted by their start.
  template <class Body>
  void record(const value& o, const std::string& path, Body body) {
    const value& uuid = need(o, "uuid", path, &value::IsString);
    const value& validities = need(o, "validities", path, &value::IsArray);
    std::vector<const value*> sorted;
    for (const value& v : validities.GetArray()) sorted.push_back(&v);
    auto from_of = [&](const value* v) {
      const value& from = need(need(*v, "validity", path + ".validities[]", &value::IsObject), "from", path + ".validities[].validity", &value::IsString);
      return std::string_view(from.GetString(), from.GetStringLength());
    };
    std::stable_sort(sorted.begin(), sorted.end(), [&](const value* a, const value* b) { return from_of(a) < from_of(b); });
    w_.StartObject();
    key("id");
    str(uuid);
    body(sorted, path);
    key("segments");
    w_.StartArray();
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      const std::string vpath = fmt::format("{}.validities[{}]", path, i);
      const value& v = *sorted[i];
      w_.StartObject();
      segment_(v, vpath);
      const value& validity = need(v, "validity", vpath, &value::IsObject);
      date("from", need(validity, "from", vpath + ".validity", &value::IsString), vpath + ".validity");
      const auto to = validity.FindMember("to");
      if (to == validity.MemberEnd()) throw malformed{vpath + ".validity.to: missing"};
      date("to", to->value, vpath + ".validity");
      w_.EndObject();
    }
    w_.EndArray();
    w_.EndObject();
  }

  std::function<void(const value&, const std::string&)> segment_;

 private:
  os2mo_client& client_;
  writer_t& w_;
};

}  // namespace

std::string mo_datetime(day d) {
  const std::string date = format_date(d);
  const int year = std::stoi(date.substr(0, 4));
  const day march = days_from_civil(year, 3, static_cast<unsigned>(last_sunday(year, 3)));
  const day october = days_from_civil(year, 10, static_cast<unsigned>(last_sunday(year, 10)));
  return date + (d > march && d <= october ? "T00:00:00+02:00" : "T00:00:00+01:00");  // local midnight
}

std::optional<day> copenhagen_day(std::string_view t) {
  const auto date = parse_date(t.substr(0, 10));
  if (!date) return std::nullopt;
  if (t.size() == 10) return date;
  if (t.size() < 19 || t[10] != 'T') return std::nullopt;
  auto num = [&](std::size_t pos) { return (t[pos] - '0') * 10 + (t[pos + 1] - '0'); };
  long long seconds = static_cast<long long>(*date) * 86400 + num(11) * 3600 + num(14) * 60 + num(17);
  std::size_t pos = 19;
  if (pos < t.size() && t[pos] == '.')
    while (++pos < t.size() && std::isdigit(static_cast<unsigned char>(t[pos]))) {
    }
  if (pos < t.size() && (t[pos] == '+' || t[pos] == '-') && pos + 6 <= t.size()) {
    const int offset = num(pos + 1) * 3600 + num(pos + 4) * 60;
    seconds -= t[pos] == '+' ? offset : -offset;
  } else if (pos < t.size() && t[pos] != 'Z') {
    return std::nullopt;
  }
  // Europe/Copenhagen: UTC+1, and UTC+2 from the last Sunday of March 01:00 UTC to the last
  // Sunday of October 01:00 UTC.
  const int year = std::stoi(std::string(t.substr(0, 4)));
  const long long dst_start = static_cast<long long>(days_from_civil(year, 3, static_cast<unsigned>(last_sunday(year, 3)))) * 86400 + 3600;
  const long long dst_end = static_cast<long long>(days_from_civil(year, 10, static_cast<unsigned>(last_sunday(year, 10)))) * 86400 + 3600;
  const long long local = seconds + (seconds >= dst_start && seconds < dst_end ? 7200 : 3600);
  return static_cast<day>(local >= 0 ? local / 86400 : (local - 86399) / 86400);
}

struct os2mo_connection::impl {
  std::unique_ptr<http_transport> transport;
  os2mo_client client;
  impl(os2mo_settings s, std::unique_ptr<http_transport> t)
      : transport(t ? std::move(t) : make_curl_transport(s.http)), client(std::move(s), *transport) {}
};

os2mo_connection::os2mo_connection(os2mo_settings settings, std::unique_ptr<http_transport> transport) {
  http_global_init();
  impl_ = std::make_unique<impl>(std::move(settings), std::move(transport));
}

os2mo_connection::~os2mo_connection() = default;

std::size_t os2mo_connection::requests() const { return impl_->client.requests(); }

apply_report os2mo_connection::apply(const snapshot& snap, const plan& p, std::optional<error>* fatal) {
  return apply_to_os2mo(impl_->client, snap, p, fatal);
}

result<snapshot> os2mo_connection::load_all() {
  rapidjson::StringBuffer buffer;
  writer_t w(buffer);
  reader r(impl_->client, w);
  using rd = reader;
  try {
    rapidjson::Document org;
    if (auto res = impl_->client.execute("LinemgrOrganisation", queries::organisation, "{}", org); !res) return res.err();
    const value& o = rd::need(org["data"], "org", "LinemgrOrganisation: data", &value::IsObject);
    w.StartObject();
    w.Key("format");
    w.String("linemgr-snapshot/1");
    w.Key("organisation");
    r.str(rd::need(o, "uuid", "LinemgrOrganisation: data.org", &value::IsString));

    w.Key("classes");
    w.StartArray();
    r.collection("LinemgrClasses", queries::classes, "classes", [&](const value& c, const std::string& path) {
      const auto current = c.FindMember("current");
      if (current == c.MemberEnd()) throw malformed{path + ".current: missing"};
      if (current->value.IsNull()) return;  // a class that has ended
      const std::string cpath = path + ".current";
      w.StartObject();
      for (const char* k : {"uuid", "user_key", "name"}) {
        w.Key(k);
        r.str(rd::need(current->value, k, cpath, &value::IsString));
      }
      const value& facet = rd::need(current->value, "facet_response", cpath, &value::IsObject);
      const auto fc = facet.FindMember("current");
      if (fc != facet.MemberEnd() && fc->value.IsObject()) {
        w.Key("facet");
        r.str(rd::need(fc->value, "user_key", cpath + ".facet_response.current", &value::IsString));
      }
      w.EndObject();
    });
    w.EndArray();

    w.Key("units");
    w.StartArray();
    r.segment_ = [&](const value& v, const std::string& path) {
      w.Key("parent");
      r.str_or_null(rd::ref_uuid(v, "parent_response", path));
      w.Key("level");
      r.str_or_null(rd::ref_uuid(v, "unit_level_response", path));
      w.Key("class");
      r.str_or_null(rd::ref_uuid(v, "unit_hierarchy_response", path));
    };
    r.collection("LinemgrOrgUnits", queries::org_units, "org_units", [&](const value& u, const std::string& path) {
      r.record(u, path, [&](const std::vector<const value*>& sorted, const std::string& p) {
        if (sorted.empty()) return;
        for (const char* k : {"name", "user_key"}) {  // from the latest validity
          w.Key(k);
          r.str(rd::need(*sorted.back(), k, p + ".validities[]", &value::IsString));
        }
      });
    });
    w.EndArray();

    w.Key("engagements");
    w.StartArray();
    r.segment_ = [&](const value& v, const std::string& path) {
      w.Key("person");
      r.str_or_null(rd::ref_uuid(v, "person_response", path));
      w.Key("unit");
      r.str_or_null(rd::ref_uuid(v, "org_unit_response", path));
      w.Key("type");
      r.str_or_null(rd::ref_uuid(v, "engagement_type_response", path));
      w.Key("primary");
      w.Bool(rd::need(v, "is_primary", path, &value::IsBool).GetBool());
    };
    r.collection("LinemgrEngagements", queries::engagements, "engagements",
                 [&](const value& e, const std::string& path) { r.record(e, path, [](auto&&, auto&&) {}); });
    w.EndArray();

    w.Key("associations");
    w.StartArray();
    r.segment_ = [&](const value& v, const std::string& path) {
      w.Key("person");
      r.str_or_null(rd::ref_uuid(v, "person_response", path));
      w.Key("unit");
      r.str_or_null(rd::ref_uuid(v, "org_unit_response", path));
      w.Key("type");
      r.str_or_null(rd::ref_uuid(v, "association_type_response", path));
    };
    r.collection("LinemgrAssociations", queries::associations, "associations",
                 [&](const value& a, const std::string& path) { r.record(a, path, [](auto&&, auto&&) {}); });
    w.EndArray();

    w.Key("managers");
    w.StartArray();
    r.segment_ = [&](const value& v, const std::string& path) {
      w.Key("person");
      r.str_or_null(rd::ref_uuid(v, "person_response", path));
      w.Key("unit");
      r.str_or_null(rd::ref_uuid(v, "org_unit_response", path));
      w.Key("level");
      r.str_or_null(rd::ref_uuid(v, "manager_level_response", path));
      w.Key("type");
      r.str_or_null(rd::ref_uuid(v, "manager_type_response", path));
      w.Key("responsibilities");
      w.StartArray();
      const value& resp = rd::need(v, "responsibilities_response", path, &value::IsObject);
      for (const value& c : rd::need(resp, "objects", path + ".responsibilities_response", &value::IsArray).GetArray())
        r.str(rd::need(c, "uuid", path + ".responsibilities_response.objects[]", &value::IsString));
      w.EndArray();
    };
    r.collection("LinemgrManagers", queries::managers, "managers",
                 [&](const value& m, const std::string& path) { r.record(m, path, [](auto&&, auto&&) {}); });
    w.EndArray();
    w.EndObject();
  } catch (const malformed& m) {
    return error{error_kind::data, "malformed response from OS2mo: " + m.message};
  } catch (const error& e) {
    return e;
  }
  return parse_snapshot(std::string_view(buffer.GetString(), buffer.GetSize()), "OS2mo at " + impl_->client.settings().url);
}

}  // namespace linemgr
