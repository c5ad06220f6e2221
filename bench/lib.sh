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
