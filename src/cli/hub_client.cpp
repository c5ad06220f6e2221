#include "cli/hub_client.h"

#include <utility>

namespace liaison::cli {

namespace {

constexpr const char* kKeyRemedy =
    "Set LIAISON_API_KEY to a hub API key (create one with `liaison keys create --name NAME`).";

// The hub's error body ({"error":{"code","message","remedy"}}), or words for an answer without one
// (a proxy's page, another server on that port).
HubProblem problemOf(int status, const nlohmann::json& json) {
  HubProblem problem{status, "", "", ""};
  if (json.is_object() && json.contains("error") && json["error"].is_object()) {
    const auto& error = json["error"];
    problem.code = error.value("code", "");
    problem.message = error.value("message", "");
    problem.remedy = error.value("remedy", "");
  }
  if (problem.message.empty()) {
    problem.message = "The hub answered HTTP " + std::to_string(status) + " without saying why.";
  }
  return problem;
}

}  // namespace

HubClient::HubClient(http::HttpClient& http, std::string base_url, std::string api_key)
    : http_(http), base_url_(std::move(base_url)), api_key_(std::move(api_key)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

HubReply HubClient::get(const std::string& path) {
  http::ClientRequest request;
  request.method = "GET";
  request.url = base_url_ + path;
  return send(std::move(request));
}

HubReply HubClient::post(const std::string& path, const nlohmann::json& body) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = base_url_ + path;
  request.body = body.dump();
  request.headers.set("Content-Type", "application/json");
  return send(std::move(request));
}

HubReply HubClient::remove(const std::string& path) {
  http::ClientRequest request;
  request.method = "DELETE";
  request.url = base_url_ + path;
  return send(std::move(request));
}

HubReply HubClient::send(http::ClientRequest request) {
  request.headers.set("Accept", "application/json");
  if (!api_key_.empty()) request.headers.set("Authorization", "Bearer " + api_key_);
  HubReply reply;
  auto response = http_.send(request);
  if (!response) {
    reply.problem = HubProblem{
        0, "unreachable", "Could not reach the hub at " + base_url_ + " (" + response.error().message + ").",
        "Start it with `liaison serve`, or point --hub (or LIAISON_HUB_URL) at it."};
    return reply;
  }
  reply.status = response->status;
  reply.body = std::move(response->body);
  if (!reply.body.empty()) {
    reply.json = nlohmann::json::parse(reply.body, nullptr, false);
    if (reply.json.is_discarded()) reply.json = nullptr;
  }
  if (reply.status < 200 || reply.status > 299) {
    reply.problem = problemOf(reply.status, reply.json);
    // The hub's remedy names the header; someone at a terminal sets an environment variable.
    if (reply.status == 401 && api_key_.empty()) reply.problem->remedy = kKeyRemedy;
  }
  return reply;
}

}  // namespace liaison::cli
