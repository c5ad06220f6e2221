#include "http/reply.h"

namespace liaison::http {

Reply::State::~State() {
  if (!answered.exchange(true) && answer) answer(unanswered());
}

void Reply::operator()(Response response) const {
  if (!state_->answered.exchange(true)) state_->answer(std::move(response));
}

void Reply::offload(std::function<Response()> work) const {
  // The job keeps the state: the reply stays unanswered (not "dropped") while the work waits.
  auto state = state_;
  state_->run_blocking([state, work = std::move(work)] {
    Reply reply(state);
    try {
      reply(work());
    } catch (...) {
      reply(state->unanswered());
    }
  });
}

}  // namespace liaison::http
