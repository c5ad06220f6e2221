#pragma once
// The name a hub process holds leases under ("host:pid"), and whether the holder of a lease is
// a process of this machine that no longer exists: its work (a sync run) can be taken over at
// once instead of when the lease runs out. Another machine's holder is never known to be gone.
#include <string>
#include <string_view>

namespace liaison::app {

std::string processHolder();
// A pid reused by another process reads as alive: the lease then runs out as it would anyway.
bool holderGone(std::string_view holder);

}  // namespace liaison::app
