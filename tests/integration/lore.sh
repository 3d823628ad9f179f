# lore:MSGID patch sources against a real HTTP server (python3 -m http.server)
# serving a lore-like tree: ROOT/all/<msgid>/t.mbox.gz, made from a real
# `git format-patch --cover-letter --thread` series. Then the server is
# stopped: the cached thread must still work, an uncached one must not.
. "$(dirname "$0")/lib.bash"

server_pid=
stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
		server_pid=
	fi
}
trap 'stop_server; rm -rf "$T"' EXIT

# A series of two patches with a cover letter, from a throw-away repository.
g() {
	git -C "$T/repo" -c user.name='A U Thor' -c user.email=author@example.org \
		-c commit.gpgsign=false "$@"
}
mkdir -p "$T/repo" "$T/series"
g init -q
printf 'one\n' > "$T/repo/file"
g add file && g commit -q -m 'base'
printf 'one\ntwo\n' > "$T/repo/file"
g commit -q -a -m 'first change' -m 'Signed-off-by: A U Thor <author@example.org>'
printf 'one\ntwo\nthree\n' > "$T/repo/file"
g commit -q -a -m 'second change' -m 'Signed-off-by: A U Thor <author@example.org>'
g format-patch -q --cover-letter --thread -o "$T/series" HEAD~2
sed -i 's/\*\*\* SUBJECT HERE \*\*\*/lore test series/' "$T/series/0000-cover-letter.patch"
is "$(ls "$T/series" | wc -l)" "3" "format-patch wrote a cover letter and two patches"

msgid_of() {  # msgid_of FILE: its Message-ID without <>
	sed -n 's/^[Mm]essage-[Ii][Dd]: *<\(.*\)>$/\1/p' "$1" | head -1
}
id=$(msgid_of "$T/series/0000-cover-letter.patch")
id1=$(msgid_of "$T/series/0001-first-change.patch")
id2=$(msgid_of "$T/series/0002-second-change.patch")
n=$((n + 1))
if [ -n "$id" ] && [ -n "$id1" ] && [ -n "$id2" ]; then
	echo "ok $n - the series has Message-IDs: $id"
else
	echo "not ok $n - the series has Message-IDs"
	failed=$((failed + 1))
fi

# The lore tree: a thread's mbox is its messages, oldest first.
cat "$T/series"/*.patch > "$T/thread.mbox"
mkdir -p "$T/www/all/$id" "$T/www/all/html@example.org"
gzip -c "$T/thread.mbox" > "$T/www/all/$id/t.mbox.gz"
# what a proxy or a bot check answers instead of the file
printf '<!DOCTYPE html>\n<html><body>checking your browser</body></html>\n' \
	> "$T/www/all/html@example.org/t.mbox.gz"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 "$port" --directory "$T/www" \
	> "$T/server.log" 2>&1 &
server_pid=$!
up=1
for _ in $(seq 100); do
	if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
		up=0
		break
	fi
	sleep 0.1
done
ok $up "the HTTP server answers on port $port"
if [ "$up" -ne 0 ]; then
	sed 's/^/#   /' "$T/server.log"
	done_testing
	exit
fi

base="http://127.0.0.1:$port/all"
cat > "$T/config.ini" <<EOC
[kernels]
cache_dir = $T/cache
lore_url = $base/
EOC
patches() {  # patches SPEC: run `kernel patches`, output in $T/out and $T/err
	"$PINBENCH" kernel patches --config "$T/config.ini" "$@" > "$T/out" 2> "$T/err"
}
line_of() {  # line_of REGEX: number of the first stdout line matching
	grep -nE -- "$1" "$T/out" | head -1 | cut -d: -f1
}
cached="$T/cache/lore/$(printf '%s' "$id" | sha256sum | cut -c1-64).mbox"

# the thread over HTTP
patches "lore:$id"
is "$?" "0" "lore:MSGID with the server up exits 0"
contains "$T/err" "fetching $base/$id/t.mbox.gz" "says which URL it fetches"
contains "$T/out" "cover letter: <$id> \"" "names the cover letter"
contains "$T/out" "lore test series" "with its subject"
p1=$(line_of '^patch 1/2 v1 [0-9a-f]{12} ".*first change"$')
p2=$(line_of '^patch 2/2 v1 [0-9a-f]{12} ".*second change"$')
ok "$([ -n "$p1" ] && [ -n "$p2" ] && [ "$p1" -lt "$p2" ]; echo $?)" \
	"lists both patches with their subjects, in order"
contains "$T/out" "  message-id: <$id1>" "with the first patch's Message-ID"
contains "$T/out" "  message-id: <$id2>" "and the second's"
contains "$T/out" "  author: A U Thor <author@example.org>" "and the author"
check "the thread is cached" test -f "$cached"
check "the cache holds the decompressed thread" cmp -s "$cached" "$T/thread.mbox"
ok "$(ls -a "$T/cache/lore" | grep -c '\.tmp\.')" "no temporary file left in the cache"

# a server that answers 200 refreshes the cache
echo stale > "$cached"
patches "lore:<$id>"
is "$?" "0" "lore:<MSGID> (angle brackets) exits 0"
check "a successful fetch refreshes the cached copy" cmp -s "$cached" "$T/thread.mbox"

# the base URL without its trailing slash gives the same URL
sed -i "s|^lore_url = .*|lore_url = $base|" "$T/config.ini"
patches "lore:$id"
is "$?" "0" "lore_url without a trailing slash works too"
contains "$T/err" "fetching $base/$id/t.mbox.gz" "with exactly one slash before the id"

# an id the server does not have
patches "lore:nosuch@example.org"
is "$?" "2" "unknown message id exits 2"
contains "$T/err" "no message <nosuch@example.org> at $base/nosuch@example.org/t.mbox.gz (HTTP 404)" \
	"the error names the id, the URL and 404"
check "nothing cached for it" test ! -e \
	"$T/cache/lore/$(printf '%s' nosuch@example.org | sha256sum | cut -c1-64).mbox"

# 200 with an HTML page
patches "lore:html@example.org"
rc=$?
ok "$([ "$rc" -ne 0 ]; echo $?)" "an HTML page instead of the gzip file fails (exit $rc)"
contains "$T/err" "$base/html@example.org/t.mbox.gz did not answer with a gzip file" \
	"and says the URL did not give a gzip file"

# an id that is no Message-ID never reaches the server: '..' would climb the URL path
requests=$(grep -c 'GET ' "$T/server.log")
for bad in .. 'all' 'a@b@c' '..@x'; do
	patches "lore:$bad"
	is "$?" "2" "lore:$bad is refused (exit 2)"
	contains "$T/err" "message id '$bad'" "naming the id"
done
is "$(grep -c 'GET ' "$T/server.log")" "$requests" "and none of them was asked for"

# redirects: never to another protocol, never from https:// down to http://
# (a self-signed certificate, trusted through CURL_CA_BUNDLE as curl(1) does)
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" 2> /dev/null
ok $? "a self-signed certificate for 127.0.0.1"
cat > "$T/redirect.py" <<'EOP'
import http.server, os, ssl, sys, threading
www, cert, key, ports_file = sys.argv[1:5]
ports = {}
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **kw):
        super().__init__(*a, directory=www, **kw)
    def do_GET(self):
        # /to/KIND/rest -> 302 to KIND's server (or a file:// / gopher:// URL) with rest
        parts = self.path.split('/', 3)
        if len(parts) == 4 and parts[1] == 'to':
            kind, rest = parts[2], parts[3]
            to = {'file': 'file:///etc/hostname', 'gopher': 'gopher://127.0.0.1:1/x',
                  'http': 'http://127.0.0.1:%d/%s' % (ports.get('http', 0), rest),
                  'https': 'https://127.0.0.1:%d/%s' % (ports.get('https', 0), rest)}[kind]
            self.send_response(302)
            self.send_header('Location', to)
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        super().do_GET()
    def log_message(self, fmt, *args):
        sys.stderr.write('%s %s\n' % (self.server.kind, fmt % args))
        sys.stderr.flush()
servers = []
for kind in ('http', 'https'):
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
    srv.kind = kind
    if kind == 'https':
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    ports[kind] = srv.server_address[1]
    servers.append(srv)
with open(ports_file + '.tmp', 'w') as f:
    f.write('%d %d\n' % (ports['http'], ports['https']))
os.rename(ports_file + '.tmp', ports_file)
for srv in servers[1:]:
    threading.Thread(target=srv.serve_forever, daemon=True).start()
servers[0].serve_forever()
EOP
stop_server
python3 "$T/redirect.py" "$T/www" "$T/cert.pem" "$T/key.pem" "$T/ports" 2> "$T/redirect.log" &
server_pid=$!
for _ in $(seq 100); do [ -s "$T/ports" ] && break; sleep 0.1; done
read -r hport sport < "$T/ports"
ok $? "the redirecting servers listen (http $hport, https $sport)"
export CURL_CA_BUNDLE=$T/cert.pem
rm -rf "$T/cache"
redirected() {  # redirected BASE: lore:$id through a lore_url of BASE, output in $T/out, $T/err
	sed -i "s|^lore_url = .*|lore_url = $1|" "$T/config.ini"
	patches "lore:$id"
}
redirected "https://127.0.0.1:$sport/all"
is "$?" "0" "the thread over https (the certificate is trusted)"
redirected "http://127.0.0.1:$hport/to/https/all"
is "$?" "0" "a redirect from http:// to https:// is followed"
redirected "https://127.0.0.1:$sport/to/https/all"
is "$?" "0" "a redirect from https:// to https:// is followed"
rm -rf "$T/cache"
before=$(grep -c '^http GET' "$T/redirect.log")
redirected "https://127.0.0.1:$sport/to/http/all"
is "$?" "3" "a redirect from https:// down to http:// is refused"
contains "$T/err" 'Protocol "http"' "curl says http is not allowed there"
is "$(grep -c '^http GET' "$T/redirect.log")" "$before" "and the http:// server was never asked"
for kind in file gopher; do
	rm -rf "$T/cache"
	redirected "http://127.0.0.1:$hport/to/$kind/all"
	is "$?" "3" "a redirect from http:// to $kind:// is refused"
	contains "$T/err" "Protocol \"$kind\"" "  saying $kind is not allowed"
done
redirected "http://127.0.0.1:$hport/all"
is "$?" "0" "the thread cached again (for the offline part below)"
unset CURL_CA_BUNDLE
sed -i "s|^lore_url = .*|lore_url = $base|" "$T/config.ini"

# offline: the cached copy, with a warning
stop_server
patches "lore:$id"
is "$?" "0" "server stopped, cached thread: exits 0"
contains "$T/err" "warning: cannot reach $base/$id/t.mbox.gz (" "warns it cannot reach the URL"
contains "$T/err" "using the copy fetched on " "and that it uses the cached copy"
contains "$T/err" "$cached" "naming the cache file"
p1=$(line_of '^patch 1/2 v1 [0-9a-f]{12} ".*first change"$')
p2=$(line_of '^patch 2/2 v1 [0-9a-f]{12} ".*second change"$')
ok "$([ -n "$p1" ] && [ -n "$p2" ] && [ "$p1" -lt "$p2" ]; echo $?)" \
	"the same two patches, in order, from the cache"

# offline without a cached copy
patches "lore:other@example.org"
is "$?" "3" "server stopped, uncached thread: exits 3"
contains "$T/err" "$base/other@example.org/t.mbox.gz" "the error names the URL"
contains "$T/err" "connect" "and says the connection failed"

done_testing
