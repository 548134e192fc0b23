#!/bin/sh
# Check registry.conf's syntax with `nginx -t` in a throwaway prefix: a self-signed certificate stands
# in for the real one and the site's paths point into the temporary folder. Needs nginx and openssl.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/logs" "$tmp/ssl" "$tmp/app/static" "$tmp/instance/photos"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=registry.test \
    -keyout "$tmp/ssl/privkey.pem" -out "$tmp/ssl/fullchain.pem" 2>/dev/null
sed -e "s#/etc/ssl/registry#$tmp/ssl#g" -e "s#/srv/registry#$tmp#g" -e "s#/var/log/nginx#$tmp/logs#g" \
    "$here/registry.conf" > "$tmp/registry.conf"
cat > "$tmp/nginx.conf" <<CONF
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    access_log $tmp/logs/access.log;
    include $tmp/registry.conf;
}
CONF
nginx -t -p "$tmp" -c "$tmp/nginx.conf"
