#pragma once
// The email addresses CC accepts, wherever one enters (contacts, sign-up forms, imports, account
// emails, campaign senders, test sends): a dot-atom local part (RFC 5322 §3.2.3, at most 64
// characters as RFC 5321 §4.5.3.1.1 allows), '@', and a host name of LDH labels (1-63 letters,
// digits or '-', not starting or ending with '-'), at least two, the last of two or more letters;
// at most 80 characters in all. No quoted local parts, address literals or non-ASCII (CC rejects
// them).
#include <string_view>

namespace liaison::cc {

bool isEmailAddress(std::string_view address);

}  // namespace liaison::cc
