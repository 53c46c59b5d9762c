#!/usr/bin/env bash
# Makes pgvector available to the machine's PostgreSQL: Debian's package when the configured
# suites have it, otherwise Debian's own pgvector source (trixie) built against the installed
# server. Idempotent: does nothing when the extension is already available.
set -euo pipefail
PGHOST="${PGHOST:-127.0.0.1}"
available() {
  [ "$(psql -h "$PGHOST" -U postgres -tAc "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'" 2>/dev/null)" = "1" ]
}
if available; then echo "pgvector: already available"; exit 0; fi
major="$(ls /etc/postgresql | sort -n | tail -1)"
apt-get update -qq
if apt-get install -y -qq "postgresql-${major}-pgvector" >/dev/null 2>&1; then
  echo "pgvector: installed postgresql-${major}-pgvector"
else
  echo "pgvector: postgresql-${major}-pgvector is not in the configured Debian suites; building Debian's pgvector source"
  apt-get install -y -qq "postgresql-server-dev-${major}" build-essential >/dev/null
  work="$(mktemp -d)"
  sources="$work/trixie.sources"
  cat >"$sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt_opts=(-o "Dir::Etc::sourcelist=$sources" -o "Dir::Etc::sourceparts=-" -o "Dir::State::Lists=$work/lists" -o "APT::Get::List-Cleanup=0")
  mkdir -p "$work/lists/partial"
  apt-get "${apt_opts[@]}" update -qq
  (cd "$work" && apt-get "${apt_opts[@]}" source --download-only pgvector >/dev/null 2>&1)
  tar -xzf "$work"/pgvector_*.orig.tar.gz -C "$work"
  make -s -C "$work"/pgvector-*/ PG_CONFIG="/usr/lib/postgresql/${major}/bin/pg_config" OPTFLAGS="" >/dev/null
  make -s -C "$work"/pgvector-*/ install PG_CONFIG="/usr/lib/postgresql/${major}/bin/pg_config" >/dev/null
  rm -rf "$work"
fi
available || { echo "pgvector: still not available to PostgreSQL" >&2; exit 1; }
echo "pgvector: available"
