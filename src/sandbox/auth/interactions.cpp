#include "sandbox/auth/interactions.h"

namespace liaison::sandbox {

InteractionStore::InteractionStore(const Clock& clock, RandomSource& random, int lifetime_s)
    : clock_(clock), random_(random), lifetime_s_(lifetime_s) {}

Interaction InteractionStore::create(Interaction interaction) {
  const int64_t now = toUnixSeconds(clock_.now());
  std::lock_guard lock(mutex_);
  // Drop abandoned interactions so memory stays bounded.
  for (auto it = items_.begin(); it != items_.end();) {
    it = it->second.expires_at <= now ? items_.erase(it) : std::next(it);
  }
  interaction.id = random_.token(18);
  interaction.csrf = random_.token(18);
  interaction.expires_at = now + lifetime_s_;
  items_[interaction.id] = interaction;
  return interaction;
}

std::optional<Interaction> InteractionStore::find(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = items_.find(id);
  if (it == items_.end() || it->second.expires_at <= toUnixSeconds(clock_.now())) return std::nullopt;
  return it->second;
}

void InteractionStore::update(const Interaction& interaction) {
  std::lock_guard lock(mutex_);
  auto it = items_.find(interaction.id);
  if (it != items_.end()) it->second = interaction;
}

void InteractionStore::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  items_.erase(id);
}

void InteractionStore::clear() {
  std::lock_guard lock(mutex_);
  items_.clear();
}

}  // namespace liaison::sandbox
