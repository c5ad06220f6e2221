#include "sandbox/contacts/activities/csv_import.h"

#include <algorithm>

#include "cc/provider.h"

#include "core/csv.h"
#include "core/encoding.h"
#include "http/multipart.h"
#include "sandbox/contacts/contact_rules.h"

namespace liaison::sandbox {

using nlohmann::json;

namespace {

// How many parts of the form carry `name`.
size_t partsNamed(const std::vector<http::FormPart>& parts, std::string_view name) {
  return std::count_if(parts.begin(), parts.end(),
                       [&](const http::FormPart& part) { return part.name == name; });
}

}  // namespace

Result<json> csvImportRequest(std::string_view content_type, std::string_view body) {
  auto parts = http::parseMultipartForm(content_type, body);
  if (!parts) {
    Error error = parts.error();
    error.key = error.code == ErrorCode::UnsupportedMediaType ? "http.status.unsupported_media_type"
                                                              : "activities.api.validation.error";
    return error;
  }
  const http::FormPart* file = http::findPart(*parts, "file");
  const http::FormPart* lists = http::findPart(*parts, "list_ids");
  if (!file) return activityValidation("The form needs a file part holding the CSV.");
  // One of two files or list_ids would be ignored without a word: refuse the form instead.
  for (const char* name : {"file", "list_ids", "sms_permission_to_send"}) {
    if (partsNamed(*parts, name) > 1) {
      return activityValidation(std::string("The form has more than one ") + name + " part.");
    }
  }
  // The sandbox imports no SMS numbers, but the field still takes only CC's two values.
  if (const http::FormPart* sms = http::findPart(*parts, "sms_permission_to_send");
      sms && sms->data != "explicit" && sms->data != "not_set") {
    return activityValidation("sms_permission_to_send must be explicit or not_set.");
  }
  if (!lists || lists->data.empty()) return activityValidation("list_ids is required: a comma-separated list of 1 to 50 list ids.");
  if (!isValidUtf8(file->data) || !isValidUtf8(lists->data)) return activityValidation("The CSV file and list_ids must be UTF-8.");
  auto rows = parseCsv(file->data, cc::constantContact().limits.import_rows_max);
  if (!rows) return activityValidation(rows.error().message);
  if (rows->empty()) return activityValidation("The CSV file is empty.");
  // No control characters in contact data, as wherever it enters; this names the CSV line (the
  // JSON import's own check names the row).
  for (size_t i = 0; i < rows->size(); ++i) {
    for (const auto& cell : (*rows)[i]) {
      if (hasControlCharacter(cell)) {
        return activityValidation("Line " + std::to_string(i + 1) + " holds a control character.");
      }
    }
  }
  std::vector<std::string> header;
  for (auto name : (*rows)[0]) {
    while (!name.empty() && name.back() == ' ') name.pop_back();
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    // Column names are case-insensitive, except the custom field name after cf:.
    header.push_back(name.rfind("cf:", 0) == 0 || name.rfind("CF:", 0) == 0 ? "cf:" + name.substr(3) : toLower(name));
  }
  if (std::find(header.begin(), header.end(), "email") == header.end()) {
    return activityValidation("The CSV file needs an email column (SMS-only imports are not emulated).");
  }
  if (rows->size() < 2) return activityValidation("The CSV file has a header but no contacts.");
  json request = {{"import_data", json::array()}, {"list_ids", json::array()}};
  for (const auto& id : splitString(lists->data, ',')) {
    std::string trimmed = id;
    trimmed.erase(0, trimmed.find_first_not_of(' '));
    trimmed.erase(trimmed.find_last_not_of(' ') + 1);
    request["list_ids"].push_back(trimmed);
  }
  for (size_t i = 1; i < rows->size(); ++i) {
    const CsvRow& row = (*rows)[i];
    if (row.size() > header.size()) {
      return activityValidation("Line " + std::to_string(i + 1) + " has more fields than the header.");
    }
    json contact = json::object();
    for (size_t c = 0; c < row.size(); ++c) {
      if (!row[c].empty() && !header[c].empty()) contact[header[c]] = row[c];  // empty cells change nothing
    }
    request["import_data"].push_back(std::move(contact));
  }
  return request;
}

}  // namespace liaison::sandbox
