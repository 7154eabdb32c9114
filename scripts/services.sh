#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer; start the machine's own services if they do not.
# Never falls back to SQLite: if a service still cannot be reached, stop with a clear message.
set -euo pipefail

pg_host=$(python3 -c "import os,urllib.parse as u;print(u.urlparse(os.environ['DATABASE_URL']).hostname or '127.0.0.1')")
pg_port=$(python3 -c "import os,urllib.parse as u;print(u.urlparse(os.environ['DATABASE_URL']).port or 5432)")
redis_host=$(python3 -c "import os,urllib.parse as u;print(u.urlparse(os.environ['REDIS_URL']).hostname or '127.0.0.1')")
redis_port=$(python3 -c "import os,urllib.parse as u;print(u.urlparse(os.environ['REDIS_URL']).port or 6379)")

postgres_up() { pg_isready -q -h "$pg_host" -p "$pg_port" 2>/dev/null; }
redis_up() { python3 - "$redis_host" "$redis_port" <<'PY'
import socket, sys
try:
    with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2) as s:
        s.sendall(b"PING\r\n")
        sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
except OSError:
    sys.exit(1)
PY
}

wait_for() {
  for _ in $(seq 1 30); do "$1" && return 0; sleep 1; done
  return 1
}

if ! postgres_up; then
  echo "PostgreSQL is not answering on $pg_host:$pg_port; starting the local cluster..." >&2
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  wait_for postgres_up || { echo "ERROR: PostgreSQL unreachable at $pg_host:$pg_port (DATABASE_URL). Start it and retry." >&2; exit 1; }
fi

if ! redis_up; then
  echo "Redis is not answering on $redis_host:$redis_port; starting a local redis-server..." >&2
  if command -v redis-server >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
      --dir /tmp --logfile /tmp/equalex-redis.log || true
  fi
  wait_for redis_up || { echo "ERROR: Redis unreachable at $redis_host:$redis_port (REDIS_URL). Start it and retry." >&2; exit 1; }
fi
echo "PostgreSQL at $pg_host:$pg_port and Redis at $redis_host:$redis_port are up."
