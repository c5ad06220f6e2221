// Prints docs/API-COVERAGE.md: every operation of CC's v3 document (the operation table) and
// whether the sandbox emulates it. A CTest check fails when the committed file is out of date.
#include <cstdio>
#include <map>

#include "cc/operations.h"
#include "core/clock.h"
#include "core/random.h"
#include "sandbox/sandbox.h"

int main() {
  using namespace liaison;
  SystemClock clock;
  CryptoRandom random;
  sandbox::Sandbox sandbox({}, clock, random, nullptr);
  std::map<std::string_view, std::vector<const cc::Operation*>> by_tag;
  size_t emulated = 0;
  for (const auto& op : cc::operationTable()) {
    by_tag[op.tag].push_back(&op);
    emulated += sandbox.emulates(op.id);
  }
  std::printf(
      "# API coverage\n\nGenerated from the operation table (`src/cc/cc_operations.inc`, from CC's v3\n"
      "document 3.0.172) by `tools/api_coverage`; `make test` checks it is current.\n\n"
      "%zu of %zu operations emulated. The others answer `501 sandbox.not_implemented` after the\n"
      "usual token, scope and privilege checks.\n",
      emulated, cc::operationTable().size());
  for (const auto& [tag, ops] : by_tag) {
    std::printf("\n## %.*s\n\n| Operation | Method | Path | Scope | Privileges | Emulated |\n|---|---|---|---|---|---|\n",
                static_cast<int>(tag.size()), tag.data());
    for (const auto* op : ops) {
      const bool partner = op->auth != "oauth2";
      std::printf("| `%.*s` | %.*s | `%.*s` | %.*s | %.*s | %s |\n", static_cast<int>(op->id.size()), op->id.data(),
                  static_cast<int>(op->method.size()), op->method.data(), static_cast<int>(op->path.size()),
                  op->path.data(), static_cast<int>(op->scopes.size()), op->scopes.data(),
                  static_cast<int>(op->privileges.size()), op->privileges.data(),
                  sandbox.emulates(op->id) ? "yes" : partner ? "no (partner credentials)" : "no");
    }
  }
  return 0;
}
