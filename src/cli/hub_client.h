#pragma once
// The hub's REST API as the terminal verbs call it: one request, its JSON answer, or why there is
// none (the hub could not be reached, refused the key, or refused the request) in the hub's own
// words. The API key goes only into the Authorization header, never into a message.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "http/client/http_client.h"

namespace liaison::cli {

// Why a call gave no usable answer. `status` is 0 when the hub could not be reached.
struct HubProblem {
  int status = 0;
  std::string code;
  std::string message;
  std::string remedy;
};

struct HubReply {
  int status = 0;
  std::string body;     // as the hub sent it
  nlohmann::json json;  // the body parsed; null when empty or not JSON
  std::optional<HubProblem> problem;

  bool ok() const { return !problem; }
};

class HubClient {
 public:
  HubClient(http::HttpClient& http, std::string base_url, std::string api_key);

  HubReply get(const std::string& path);
  HubReply post(const std::string& path, const nlohmann::json& body);
  HubReply remove(const std::string& path);

  const std::string& baseUrl() const { return base_url_; }

 private:
  HubReply send(http::ClientRequest request);

  http::HttpClient& http_;
  std::string base_url_;
  std::string api_key_;
};

}  // namespace liaison::cli
