#include "http/multipart.h"

#include "core/encoding.h"

namespace liaison::http {

namespace {

Error formError(const std::string& message) { return makeError(ErrorCode::InvalidRequest, "multipart.invalid", message); }

// The value of `param` in a header like `form-data; name="file"; filename="a.csv"`.
std::optional<std::string> headerParam(std::string_view header, std::string_view param) {
  const std::string lower = toLower(header);
  size_t at = 0;
  const std::string key = std::string(param) + "=";
  while ((at = lower.find(key, at)) != std::string::npos) {
    const bool starts = at == 0 || lower[at - 1] == ';' || lower[at - 1] == ' ';
    at += key.size();
    if (!starts) continue;
    if (at < header.size() && header[at] == '"') {
      const size_t close = header.find('"', at + 1);
      if (close == std::string::npos) return std::nullopt;
      return std::string(header.substr(at + 1, close - at - 1));
    }
    const size_t end = header.find(';', at);
    std::string value(header.substr(at, end == std::string::npos ? std::string::npos : end - at));
    while (!value.empty() && value.back() == ' ') value.pop_back();
    return value;
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<FormPart>> parseMultipartForm(std::string_view content_type, std::string_view body) {
  if (toLower(content_type).rfind("multipart/form-data", 0) != 0) {
    return makeError(ErrorCode::UnsupportedMediaType, "multipart.unsupported_media_type",
                     "The body must be multipart/form-data.");
  }
  auto boundary = headerParam(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 200) {
    return formError("The multipart/form-data Content-Type has no boundary.");
  }
  const std::string delimiter = "--" + *boundary;
  size_t at = body.find(delimiter);
  if (at == std::string_view::npos) return formError("The body does not contain the multipart boundary.");
  std::vector<FormPart> parts;
  while (true) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") return parts;  // the closing delimiter
    if (body.substr(at, 2) != "\r\n") return formError("A multipart boundary is not followed by a line break.");
    at += 2;
    const size_t headers_end = body.find("\r\n\r\n", at);
    if (headers_end == std::string_view::npos) return formError("A multipart part has no header section.");
    FormPart part;
    part.content_type = "text/plain";
    for (const auto& line : splitString(body.substr(at, headers_end - at), '\n')) {
      std::string_view header(line);
      if (!header.empty() && header.back() == '\r') header.remove_suffix(1);
      const size_t colon = header.find(':');
      if (colon == std::string_view::npos) return formError("A multipart part header is malformed.");
      const std::string name = toLower(header.substr(0, colon));
      std::string_view value = header.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (name == "content-disposition") {
        part.name = headerParam(value, "name").value_or("");
        part.filename = headerParam(value, "filename");
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    if (part.name.empty()) return formError("A multipart part has no Content-Disposition name.");
    const size_t data_start = headers_end + 4;
    const size_t next = body.find("\r\n" + delimiter, data_start);
    if (next == std::string_view::npos) return formError("The multipart body is not closed by its boundary.");
    part.data = std::string(body.substr(data_start, next - data_start));
    parts.push_back(std::move(part));
    at = next + 2;
  }
}

const FormPart* findPart(const std::vector<FormPart>& parts, std::string_view name) {
  for (const auto& part : parts) {
    if (part.name == name) return &part;
  }
  return nullptr;
}

}  // namespace liaison::http
