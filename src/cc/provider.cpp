#include "cc/provider.h"

#include <stdexcept>

namespace liaison::cc {

namespace {

// provider.json, embedded at build time (see CMakeLists.txt).
constexpr const char kProviderJson[] =
#include "cc/provider_json.inc"
    ;

Error invalid(const std::string& what) {
  return makeError(ErrorCode::InvalidRequest, "provider.invalid", "Provider data: " + what);
}

template <typename T>
Result<T> required(const nlohmann::json& object, const char* section, const char* field) {
  if (!object.contains(section) || !object[section].is_object())
    return invalid(std::string(section) + " is missing.");
  const auto& s = object[section];
  if (!s.contains(field)) return invalid(std::string(section) + "." + field + " is missing.");
  if constexpr (std::is_same_v<T, std::string>) {
    if (!s[field].is_string() || s[field].get_ref<const std::string&>().empty()) {
      return invalid(std::string(section) + "." + field + " must be a non-empty string.");
    }
    return s[field].get<std::string>();
  } else {
    if (!s[field].is_number_integer() || s[field].get<long long>() <= 0) {
      return invalid(std::string(section) + "." + field + " must be a positive integer.");
    }
    return static_cast<T>(s[field].get<long long>());
  }
}

}  // namespace

Result<Provider> parseProvider(const nlohmann::json& data) {
  if (!data.is_object()) return invalid("must be a JSON object.");
  Provider p;
  if (!data.contains("id") || !data["id"].is_string()) return invalid("id is missing.");
  p.id = data["id"].get<std::string>();
  p.display_name = data.value("display_name", p.id);
  const std::pair<const char*, std::string*> endpoints[] = {
      {"authorize", &p.endpoints.authorize},
      {"token", &p.endpoints.token},
      {"device_authorize", &p.endpoints.device_authorize},
      {"device_verification", &p.endpoints.device_verification},
      {"revoke", &p.endpoints.revoke},
      {"keys", &p.endpoints.keys},
      {"issuer", &p.endpoints.issuer},
      {"api_base", &p.endpoints.api_base},
      {"audience", &p.endpoints.audience}};
  for (const auto& [name, target] : endpoints) {
    auto value = required<std::string>(data, "endpoints", name);
    if (!value) return value.error();
    *target = std::move(*value);
  }
  const std::pair<const char*, int*> ints[] = {
      {"requests_per_second_per_key", &p.limits.requests_per_second_per_key},
      {"requests_per_day_per_key", &p.limits.requests_per_day_per_key},
      {"token_requests_per_second_per_client", &p.limits.token_requests_per_second_per_client},
      {"page_size_max", &p.limits.page_size_max},
      {"page_size_default", &p.limits.page_size_default},
      {"import_lists_max", &p.limits.import_lists_max},
      {"device_code_lifetime_s", &p.limits.device_code_lifetime_s},
      {"device_poll_interval_s", &p.limits.device_poll_interval_s},
      {"authorization_code_lifetime_s", &p.limits.authorization_code_lifetime_s},
      {"access_token_lifetime_s", &p.limits.access_token_lifetime_s},
      {"refresh_token_idle_lifetime_s", &p.limits.refresh_token_idle_lifetime_s}};
  for (const auto& [name, target] : ints) {
    auto value = required<int>(data, "limits", name);
    if (!value) return value.error();
    *target = *value;
  }
  const std::pair<const char*, std::size_t*> sizes[] = {{"import_rows_max", &p.limits.import_rows_max},
                                                        {"import_bytes_max", &p.limits.import_bytes_max}};
  for (const auto& [name, target] : sizes) {
    auto value = required<std::size_t>(data, "limits", name);
    if (!value) return value.error();
    *target = *value;
  }
  if (data.contains("unconfirmed")) {
    if (!data["unconfirmed"].is_array()) return invalid("unconfirmed must be an array of names.");
    for (const auto& name : data["unconfirmed"]) {
      if (!name.is_string()) return invalid("unconfirmed must be an array of names.");
      p.unconfirmed.push_back(name.get<std::string>());
    }
  }
  return p;
}

const Provider& constantContact() {
  // Start-up data compiled into the binary: a parse failure is a build defect, caught by tests.
  static const Provider provider = [] {
    auto parsed = parseProvider(nlohmann::json::parse(kProviderJson));
    if (!parsed) throw std::logic_error(parsed.error().message);
    return std::move(*parsed);
  }();
  return provider;
}

Endpoints endpointsAt(std::string_view origin) {
  const std::string base(origin);
  Endpoints e;
  e.authorize = base + "/oauth2/default/v1/authorize";
  e.token = base + "/oauth2/default/v1/token";
  e.device_authorize = base + "/oauth2/default/v1/device/authorize";
  e.device_verification = base + "/activate";
  e.revoke = base + "/oauth2/default/v1/revoke";
  e.keys = base + "/oauth2/default/v1/keys";
  e.issuer = base;
  e.api_base = base + "/v3";
  // An emulator issues tokens for CC's API: the audience stays CC's own.
  e.audience = constantContact().endpoints.audience;
  return e;
}

}  // namespace liaison::cc
