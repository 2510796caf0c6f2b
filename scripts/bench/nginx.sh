# Sourced by scripts/bench.sh, bench-ab.sh and bench-profile.sh, not run: the nginx they start, written one
# way, so that a figure of one script and a figure of another come from the same backend.

# The fast backend's one answer: a fixed chat.completion.
bench_completion='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench-backend","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}'

# nginx_conf DIR PORT HTTP-BLOCK SERVER-BLOCK: DIR/nginx.conf for one worker in the foreground on
# 127.0.0.1:PORT, its pid, log and temporary files in DIR. A request body up to 1 MB is kept in memory
# (nginx's default would write an agent's ~100 KB context to a temporary file).
nginx_conf() {
  mkdir -p "$1"
  cat >"$1/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $1/tmp;
  client_body_buffer_size 1m;
  proxy_temp_path $1/tmp;
  keepalive_requests 10000000;
  keepalive_timeout 75s;
$3
  server {
    listen 127.0.0.1:$2;
$4
  }
}
CONF
}

# fast_backend_conf DIR PORT: the fast backend, answering every request with $bench_completion.
fast_backend_conf() {
  nginx_conf "$1" "$2" "" "    location / { default_type application/json; return 200 '$bench_completion'; }"
}
