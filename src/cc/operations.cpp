#include "cc/operations.h"

namespace liaison::cc {

const std::vector<Operation>& operationTable() {
  static const std::vector<Operation> table = {
#include "cc/cc_operations.inc"
  };
  return table;
}

const Operation* findOperationById(std::string_view id) {
  for (const auto& op : operationTable()) {
    if (op.id == id) return &op;
  }
  return nullptr;
}

std::vector<std::string> splitList(std::string_view csv) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < csv.size()) {
    size_t end = csv.find(',', start);
    if (end == std::string_view::npos) end = csv.size();
    if (end > start) out.emplace_back(csv.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace liaison::cc
