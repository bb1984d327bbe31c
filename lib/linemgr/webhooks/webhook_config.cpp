// Reading webhook sinks from the configuration file ([webhooks] and [[webhook]] tables).
#include <cstdlib>
#include <cctype>
#include <memory>
#include <new>

#include <curl/curl.h>
#include <fmt/format.h>
#include <toml++/toml.h>

#include <linemgr/io/config_tables_internal.hpp>
#include <linemgr/io/toml_reader_internal.hpp>
#include <linemgr/webhooks/envelope.hpp>
#include <linemgr/webhooks/signing.hpp>
#include <linemgr/webhooks/webhook_config.hpp>

namespace linemgr::webhooks {

using namespace linemgr::io;

namespace {

class webhook_reader : toml_reader {
 public:
  webhook_reader(std::string_view source, const env_lookup& env) : toml_reader(source), env_(env) {}

  webhook_settings read(const toml::table& root) {
    webhook_settings out;
    for (auto&& [k, v] : root) {
      if (k.str() == "webhooks") defaults(table(v, "webhooks"), out);
      else if (k.str() == "webhook") {
        if (!v.is_array_of_tables()) fail(v, "webhook", "write each sink as a [[webhook]] table");
        std::size_t i = 0;
        for (const toml::node& t : *v.as_array()) out.sinks.push_back(sink(*t.as_table(), fmt::format("webhook[{}]", i++)));
      }
    }
    for (std::size_t i = 0; i < out.sinks.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (out.sinks[i].name == out.sinks[j].name)
          throw bad_config{fmt::format("{}:{}: webhook[{}].name: \"{}\" is already the name of the sink on line {}", source(),
                                       out.sinks[i].line, i, out.sinks[i].name, out.sinks[j].line)};
    return out;
  }

 private:
  void defaults(const toml::table& t, webhook_settings& out) const {
    for (auto&& [k, v] : t) {
      const std::string key = fmt::format("webhooks.{}", k.str());
      if (k.str() == "outbox") out.outbox = string(v, key);
      else if (k.str() == "flush_timeout") out.flush_timeout_ms = 1000 * integer(v, key, 0, 3600);
      else unknown(v, key);
    }
  }

  std::string secret(const toml::node& n, const std::string& key) const { return toml_reader::secret(n, key, env_); }

  std::string readable_file(const toml::node& n, const std::string& key) const {
    std::string path = string(n, key);
    if (!std::ifstream(path)) fail(n, key, fmt::format("cannot read {}", path));
    return path;
  }

  void filter(const toml::table& t, const std::string& at, notice_filter& f) const {
    for (auto&& [k, v] : t) {
      const std::string key = fmt::format("{}.{}", at, k.str());
      const std::string_view name = k.str();
      if (name == "types") {
        f.types = strings(v, key);
        for (const std::string& p : f.types)
          if (!valid_type_pattern(p))
            fail(v, key, fmt::format("\"{}\" matches no event type (types: {}; a prefix ends in .*)", p, type_list()));
      } else if (name == "outcome") {
        f.outcome = choice<outcome_filter>(
            v, key, {{"any", outcome_filter::any}, {"success-only", outcome_filter::success_only}, {"error-only", outcome_filter::error_only}});
      } else if (name == "target_types") {
        f.target_types = strings(v, key);
        for (const std::string& tt : f.target_types)
          if (tt != "unit" && tt != "manager" && tt != "association" && tt != "engagement" && tt != "person" && tt != "run")
            fail(v, key, fmt::format("\"{}\" is not a target type (unit | manager | association | engagement | person | run)", tt));
      } else if (name == "target_ids") {
        f.target_ids = strings(v, key);
      } else if (name == "subtree") {
        f.subtrees = strings(v, key, true);
      } else if (name == "include_dry_run") {
        f.include_dry_run = boolean(v, key);
      } else {
        unknown(v, key);
      }
    }
  }

  static std::string type_list() {
    std::string out;
    for (std::string_view t : notice_types()) out += (out.empty() ? "" : ", ") + std::string(t);
    return out;
  }

  // An http:// or https:// URL with a host and no credentials, parsed by libcurl (as it will be
  // sent), at most max_url_length characters.
  void check_url(const toml::node& n, const std::string& key, const std::string& url, bool shown) const {
    const std::string what = shown && url.size() <= 200 ? fmt::format("\"{}\"", url) : "the URL";
    if (url.size() > max_url_length) fail(n, key, fmt::format("{} is {} characters long; at most {}", what, url.size(), max_url_length));
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> h(curl_url(), curl_url_cleanup);
    if (!h) throw std::bad_alloc();
    auto part = [&](CURLUPart which) {
      char* value = nullptr;
      std::string out;
      if (curl_url_get(h.get(), which, &value, 0) == CURLUE_OK && value) out = value;
      curl_free(value);
      return out;
    };
    if (curl_url_set(h.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
      fail(n, key, fmt::format("{} is not an http:// or https:// URL", what));
    std::string scheme = part(CURLUPART_SCHEME);
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if ((scheme != "http" && scheme != "https") || part(CURLUPART_HOST).empty() || url.find("://") == std::string::npos)
      fail(n, key, fmt::format("{} is not an http:// or https:// URL", what));
    if (!part(CURLUPART_USER).empty() || !part(CURLUPART_PASSWORD).empty())
      fail(n, key, fmt::format("{} carries a user name or password; send credentials in secret_headers", what));
  }

  // A sink name: 1–40 lower-case letters, digits and dashes, starting with a letter.
  static bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > 40 || !(name[0] >= 'a' && name[0] <= 'z')) return false;
    for (const char c : name)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
  }

  webhook_sink sink(const toml::table& t, const std::string& at) const {
    webhook_sink s;
    s.line = t.source().begin.line;
    const toml::node* url_node = nullptr;
    std::string current, previous;  // signing keys
    for (auto&& [k, v] : t) {
      const std::string key = fmt::format("{}.{}", at, k.str());
      const std::string_view name = k.str();
      if (name == "name") {
        s.name = string(v, key);
        if (!valid_name(s.name))
          fail(v, key, fmt::format("\"{}\": a name is 1–40 lower-case letters, digits and dashes, starting with a letter", s.name));
      } else if (name == "url") {
        url_node = &v;
        if (v.is_table()) {
          s.url = secret(v, key);
          s.url_is_secret = true;
        } else {
          s.url = string(v, key);
        }
        check_url(v, key, s.url, !s.url_is_secret);
      } else if (name == "method") {
        s.method = choice<http_method>(v, key, {{"POST", http_method::post}, {"PUT", http_method::put}, {"PATCH", http_method::patch}});
      } else if (name == "filter") {
        filter(table(v, key), key, s.filter);
      } else if (name == "headers") {
        for (auto&& [hk, hv] : table(v, key)) s.headers.emplace_back(std::string(hk.str()), string(hv, fmt::format("{}.{}", key, hk.str())));
      } else if (name == "secret_headers") {
        for (auto&& [hk, hv] : table(v, key))
          s.secret_headers.emplace_back(std::string(hk.str()), secret(hv, fmt::format("{}.{}", key, hk.str())));
      } else if (name == "body") {
        s.body_template = string(v, key);
      } else if (name == "content_type") {
        s.content_type = string(v, key);
      } else if (name == "secret" || name == "previous_secret") {
        auto decoded = decode_webhook_secret(secret(v, key));
        if (!decoded) fail(v, key, decoded.err().message);
        (name == "secret" ? current : previous) = *decoded;
      } else if (name == "proxy") {
        s.proxy = string(v, key);
        if (s.proxy != "env" && s.proxy != "none" && s.proxy.find("://") == std::string::npos)
          fail(v, key, fmt::format("\"{}\": use env, none, or a proxy URL such as http://proxy:3128", s.proxy));
      } else if (name == "ca_file") {
        s.ca_file = readable_file(v, key);
      } else if (name == "client_cert") {
        s.client_cert = readable_file(v, key);
      } else if (name == "client_key") {
        s.client_key = readable_file(v, key);
      } else if (name == "connect_timeout") {
        s.connect_timeout_ms = 1000 * static_cast<long>(integer(v, key, 1, 60));
      } else if (name == "timeout") {
        s.timeout_ms = 1000 * static_cast<long>(integer(v, key, 1, 300));
      } else if (name == "max_age_hours") {
        s.max_age_s = 3600 * integer(v, key, 1, 24 * 365);
      } else if (name == "allow_private_networks") {
        s.allow_private_networks = boolean(v, key);
      } else if (name == "enabled") {
        s.enabled = boolean(v, key);
      } else if (name == "description") {
        s.description = string(v, key);
        if (s.description.size() > 1000) fail(v, key, "is longer than 1000 characters");
      } else {
        unknown(v, key);
      }
    }
    if (s.name.empty()) throw bad_config{fmt::format("{}:{}: {}: a sink needs a name", source(), s.line, at)};
    if (!url_node) throw bad_config{fmt::format("{}:{}: {} ({}): a sink needs a url", source(), s.line, at, s.name)};
    if (!previous.empty() && current.empty())
      throw bad_config{fmt::format("{}:{}: {}.previous_secret: set secret too (previous_secret is for rotation)", source(), s.line, at)};
    for (std::string* key : {&current, &previous})
      if (!key->empty()) s.signing_keys.push_back(std::move(*key));
    if (!s.body_template.empty())
      if (auto problem = template_problem(s.body_template, s.content_type))
        fail(*t.get("body"), at + ".body", *problem);
    if (!s.client_key.empty() && s.client_cert.empty())
      throw bad_config{fmt::format("{}:{}: {}.client_key: set client_cert too", source(), s.line, at)};
    return s;
  }

  const env_lookup& env_;
};

}  // namespace

std::string_view method_name(http_method m) {
  switch (m) {
    case http_method::post: return "POST";
    case http_method::put: return "PUT";
    case http_method::patch: return "PATCH";
  }
  return "POST";
}

const webhook_sink* webhook_settings::find(std::string_view name) const {
  for (const webhook_sink& s : sinks)
    if (s.name == name) return &s;
  return nullptr;
}

result<webhook_settings> webhooks_from_toml(const toml::table& root, std::string_view source, const env_lookup& env) {
  return read_guarded([&] { return webhook_reader(source, env).read(root); });
}

result<webhook_settings> parse_webhook_config(std::string_view text, std::string_view source, const env_lookup& env) {
  return read_toml(text, source, [&](const toml::table& root) { return webhook_reader(source, env).read(root); });
}


std::string shown_url(const webhook_sink& s) {
  if (!s.url_is_secret) return s.url;
  const std::size_t scheme = s.url.find("://");
  const std::size_t host_end = s.url.find_first_of("/?#", scheme + 3);
  return s.url.substr(0, host_end) + "/…";
}

std::string default_outbox_path(const env_lookup& env) {
  if (auto d = env("STATE_DIRECTORY"); d && !d->empty()) return d->substr(0, d->find(':')) + "/webhooks.sqlite";
  if (auto d = env("XDG_STATE_HOME"); d && !d->empty()) return *d + "/linemgr/webhooks.sqlite";
  if (auto h = env("HOME"); h && !h->empty()) return *h + "/.local/state/linemgr/webhooks.sqlite";
  return "webhooks.sqlite";
}

}  // namespace linemgr::webhooks
