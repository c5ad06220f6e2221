#pragma once
// The id of the account every sandbox starts with (the demo business's), and the account a
// call without an account_id parameter means.
namespace liaison::sandbox {

inline constexpr const char* kDemoAccount = "a07e1sandbox01";

}  // namespace liaison::sandbox
