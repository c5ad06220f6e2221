#pragma once
// What both curl clients share: how a ClientRequest becomes a curl easy handle's options, how the
// answer's header block is collected, and how curl's failures read as Errors. Only files in
// src/http/client include it.
#include <curl/curl.h>

#include "core/result.h"
#include "http/client/http_client.h"

namespace liaison::http::curl {

// Collects the response's header fields; `complete` turns true at the blank line ending a final
// (not 1xx) response's header block.
struct HeaderSink {
  Headers headers;
  bool complete = false;
  bool interim = false;  // the block being read belongs to a 1xx answer
};

// Sets up `curl` for `request` (URL, method, body, headers, connection reuse, the header sink);
// the returned list must outlive the transfer. The caller sets the write function and timeouts.
curl_slist* prepare(CURL* curl, const ClientRequest& request, HeaderSink& sink);

// Refuses curl's own resending of a request on a reused connection (see prepare()): set with
// CURLOPT_PREREQFUNCTION, its data an int counting sends, zero at the start.
int onRequestSent(void* user, char*, char*, int, int);

Error transportError(CURLcode rc);

// curl_global_init, once per process, before the first handle.
void initOnce();

}  // namespace liaison::http::curl
