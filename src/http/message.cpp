#include "http/message.h"

#include <nlohmann/json.hpp>

namespace liaison::http {

std::optional<std::string> Headers::get(std::string_view name) const {
  for (const auto& [n, v] : fields_) {
    if (iequals(n, name)) return v;
  }
  return std::nullopt;
}

size_t Headers::count(std::string_view name) const {
  size_t n = 0;
  for (const auto& f : fields_) n += iequals(f.first, name) ? 1 : 0;
  return n;
}

void Headers::add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::set(std::string name, std::string value) {
  std::erase_if(fields_, [&](const Pair& p) { return iequals(p.first, name); });
  add(std::move(name), std::move(value));
}

std::string_view Request::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view Request::queryString() const {
  std::string_view t = target;
  auto q = t.find('?');
  return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

std::optional<Params> Request::query() const { return Params::parse(queryString()); }

std::string Request::param(const std::string& name) const {
  auto it = path_params.find(name);
  return it == path_params.end() ? std::string() : it->second;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  for (const auto& [n, v] : headers.pairs()) {
    if (!iequals(n, "cookie")) continue;
    for (auto& part : splitString(v, ';')) {
      std::string_view p = part;
      while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
      auto eq = p.find('=');
      if (eq != std::string_view::npos && p.substr(0, eq) == name) return std::string(p.substr(eq + 1));
    }
  }
  return std::nullopt;
}

Response Response::json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  // Replace, not throw: an error message may quote a caller's bytes that are not valid UTF-8.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::html(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "text/html; charset=utf-8");
  r.body = std::move(body);
  return r;
}

Response Response::text(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

Response Response::seeOther(const std::string& location) {
  Response r;
  r.status = 303;
  r.headers.set("Location", location);
  return r;
}

Response Response::found(const std::string& location) {
  Response r;
  r.status = 302;
  r.headers.set("Location", location);
  return r;
}

Response Response::noContent() {
  Response r;
  r.status = 204;
  return r;
}

Result<std::string> readAll(BodyStream& stream) {
  if (auto whole = stream.takeWhole()) return std::move(*whole);
  std::string out;
  char chunk[16384];
  for (;;) {
    auto got = stream.read(chunk, sizeof chunk);
    if (!got) return got.error();
    if (*got == 0) return out;
    out.append(chunk, *got);
  }
}

}  // namespace liaison::http
