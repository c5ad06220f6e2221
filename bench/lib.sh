# Shared by the bench scripts (sourced, not run).

# start_nginx WORK PORT: serves WORK/www as static JSON files on 127.0.0.1:PORT, the ceiling for
# an HTTP server on this machine. The caller's trap stops it via WORK/nginx.pid.
start_nginx() {
  cat > "$1/nginx.conf" <<NGINX
worker_processes 2;
pid $1/nginx.pid;
error_log $1/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  server { listen 127.0.0.1:$2; root $1/www; }
}
NGINX
  chmod 755 "$1"
  chmod -R a+rX "$1/www"
  nginx -c "$1/nginx.conf" -p "$1"
  sleep 0.3
}

# field JSON NAME: prints one top-level field of a JSON object.
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

# device_token BASE SCOPES: an access token for the demo owner through the device flow, approved
# through the control API.
device_token() {
  _device=$(curl -sf -X POST "$1/oauth2/default/v1/device/authorize" -d client_id=sandbox-public -d "scope=$2")
  curl -sf -X POST "$1/__sandbox/device/approve" -H 'Content-Type: application/json' \
    -d "{\"user_code\":\"$(field "$_device" user_code)\"}" >/dev/null
  field "$(curl -sf -X POST "$1/oauth2/default/v1/token" -d client_id=sandbox-public \
    -d grant_type=urn:ietf:params:oauth:grant-type:device_code -d device_code="$(field "$_device" device_code)")" access_token
}

# import_contacts BASE TOKEN LIST_ID N PREFIX: a JSON import of N contacts (PREFIX<i>@bench.test),
# timed over HTTP (the body is built before the clock starts).
import_contacts() {
  python3 - "$@" <<'PY'
import json, sys, time, urllib.request
base, token, list_id, n, prefix = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
rows = [{"email": f"{prefix}{i}@bench.test", "first_name": "Bench", "last_name": str(i)} for i in range(n)]
body = json.dumps({"import_data": rows, "list_ids": [list_id]}).encode()
req = urllib.request.Request(base + "/v3/activities/contacts_json_import", data=body, method="POST",
                             headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
start = time.perf_counter()
urllib.request.urlopen(req).read()
print(f"  import of {n} contacts ({len(body) / 1e6:.1f} MB): {(time.perf_counter() - start) * 1000:.0f} ms")
PY
}
