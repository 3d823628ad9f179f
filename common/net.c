// SPDX-License-Identifier: GPL-2.0-only
#include "common/net.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#define NET_DEFAULT_LIMIT	((size_t)256 << 20)
#define NET_DEFAULT_TIMEOUT	120L
#define NET_CONNECT_TIMEOUT	15L
#define NET_MAX_REDIRS		5L
#define SMTP_ADDR_MAX		254

int net_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void net_cleanup(void)
{
	curl_global_cleanup();
}

struct sink {
	struct strbuf *body;
	size_t start, limit;
	int too_big;
};

static size_t sink_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	if (n > s->limit - (s->body->len - s->start)) {
		s->too_big = 1;
		return 0;	/* anything but n makes curl stop with CURLE_WRITE_ERROR */
	}
	strbuf_add(s->body, data, n);
	return n;
}

/*
 * Every option is checked: an option the linked libcurl does not know
 * would otherwise be dropped silently (e.g. the protocol restriction).
 */
#define SETOPT(h, opt, val) do { \
	rc = curl_easy_setopt(h, opt, val); \
	if (rc != CURLE_OK) { \
		strbuf_addf(why, "cannot set %s: %s", #opt, curl_easy_strerror(rc)); \
		return -1; \
	} \
} while (0)

static int is_https(const char *url)
{
	return !strncasecmp(url, "https://", 8);
}

static int setup(CURL *h, const char *url, struct sink *sink, char *errbuf,
		 unsigned timeout_s, struct strbuf *why)
{
	const char *ca = getenv("CURL_CA_BUNDLE");
	CURLcode rc;

	SETOPT(h, CURLOPT_URL, url);
	SETOPT(h, CURLOPT_ERRORBUFFER, errbuf);
	SETOPT(h, CURLOPT_WRITEFUNCTION, sink_write);
	SETOPT(h, CURLOPT_WRITEDATA, sink);
	/*
	 * plain http(s) only, on redirects too: no file://, no gopher://; and a
	 * redirect never drops TLS: from https only to https (libcurl >= 7.85)
	 */
	SETOPT(h, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(h, CURLOPT_REDIR_PROTOCOLS_STR, is_https(url) ? "https" : "http,https");
	/* like curl(1): a private archive's CA bundle (and the tests' own) */
	if (ca && *ca)
		SETOPT(h, CURLOPT_CAINFO, ca);
	SETOPT(h, CURLOPT_FOLLOWLOCATION, 1L);
	SETOPT(h, CURLOPT_MAXREDIRS, NET_MAX_REDIRS);
	SETOPT(h, CURLOPT_CONNECTTIMEOUT, NET_CONNECT_TIMEOUT);
	SETOPT(h, CURLOPT_TIMEOUT, timeout_s ? (long)timeout_s : NET_DEFAULT_TIMEOUT);
	/* no SIGALRM for DNS timeouts: pinbench has children and handlers of its own */
	SETOPT(h, CURLOPT_NOSIGNAL, 1L);
	SETOPT(h, CURLOPT_USERAGENT, "pinbench");
	/* we want the status of a 404, not CURLE_HTTP_RETURNED_ERROR */
	SETOPT(h, CURLOPT_FAILONERROR, 0L);
	return 0;
}

int net_get(const char *url, struct strbuf *body, long *status, struct strbuf *why,
	    size_t limit, unsigned timeout_s)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct sink sink = {
		.body = body,
		.start = body->len,
		.limit = limit ? limit : NET_DEFAULT_LIMIT,
	};
	CURL *h = curl_easy_init();
	CURLcode rc;
	int ret = -1;

	*status = 0;
	if (!h) {
		strbuf_addstr(why, "cannot initialise libcurl");
		return -1;
	}
	if (setup(h, url, &sink, errbuf, timeout_s, why))
		goto out;
	rc = curl_easy_perform(h);
	if (sink.too_big) {
		strbuf_addf(why, "answer larger than %zu bytes", sink.limit);
		goto out;
	}
	if (rc != CURLE_OK) {
		/* the error buffer is more specific ("Failed to connect to ... port ...") */
		strbuf_addstr(why, *errbuf ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	rc = curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	if (rc != CURLE_OK) {
		strbuf_addf(why, "no HTTP status: %s", curl_easy_strerror(rc));
		goto out;
	}
	ret = 0;
out:
	if (ret)
		strbuf_setlen(body, sink.start);
	curl_easy_cleanup(h);
	return ret;
}

/*
 * RFC 3986 pchar: unreserved, sub-delims, ':' and '@' stay as they are;
 * the set public-inbox's mid_escape keeps, so URLs look like lore's own.
 */
static int is_pchar(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return 1;
	return c && strchr("-._~!$&'()*+,;=:@", c) != NULL;
}

void net_escape_segment(struct strbuf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if (is_pchar(*p)) {
			strbuf_addch(out, *p);
		} else {
			strbuf_addch(out, '%');
			strbuf_addch(out, hex[*p >> 4]);
			strbuf_addch(out, hex[*p & 15]);
		}
	}
}

/* SMTP */

struct source {
	const char *data;
	size_t len, off;
};

static size_t source_read(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct source *s = arg;
	size_t n = size * nmemb;

	if (n > s->len - s->off)
		n = s->len - s->off;
	memcpy(buf, s->data + s->off, n);
	s->off += n;
	return n;
}

/* The server's reply lines as they come: the last one, the last error, the last 250. */
struct replies {
	struct strbuf last, error, ok;
};

/* Keep one line for a one-line message: the server's text is not ours to trust. */
static void keep_line(struct strbuf *sb, const char *s, size_t len)
{
	size_t i;

	strbuf_reset(sb);
	for (i = 0; i < len && i < 512; i++)
		strbuf_addch(sb, (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i]);
}

static int smtp_debug(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	struct replies *r = arg;

	(void)h;
	/* HEADER_IN is what the server says; we never look at HEADER_OUT (AUTH) */
	if (type != CURLINFO_HEADER_IN)
		return 0;
	while (size) {
		const char *nl = memchr(data, '\n', size);
		size_t n = nl ? (size_t)(nl - data) + 1 : size, l = n;

		while (l && (data[l - 1] == '\n' || data[l - 1] == '\r'))
			l--;
		if (l >= 3) {
			keep_line(&r->last, data, l);
			if (data[0] == '4' || data[0] == '5')
				keep_line(&r->error, data, l);
			else if (!strncmp(data, "250", 3) && (l == 3 || data[3] == ' '))
				keep_line(&r->ok, data, l);
		}
		data += n;
		size -= n;
	}
	return 0;
}

/* Something that can follow "MAIL FROM:<" or "RCPT TO:<" without ending the command. */
static int bare_address(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if ((unsigned char)s[n] <= 0x20 || (unsigned char)s[n] >= 0x7f ||
		    s[n] == '<' || s[n] == '>')
			return 0;
	return n > 0 && n <= SMTP_ADDR_MAX && strchr(s, '@');
}

static int is_loopback(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;
	char buf[64];
	size_t len = strlen(host);

	if (!strcasecmp(host, "localhost"))
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (len > 2 && len < sizeof(buf) && host[0] == '[' && host[len - 1] == ']') {
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		return inet_pton(AF_INET6, buf, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return 0;
}

/*
 * The server's URL as messages show it, "smtp://host:port" (no credentials,
 * no EHLO path), and whether it is loopback and TLS from the start.
 */
static int smtp_url(const struct smtp_opts *o, struct strbuf *name, int *loopback, int *smtps,
		    struct strbuf *why)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL;
	CURLU *u = curl_url();
	int ret = -1;

	if (!u) {
		strbuf_addstr(why, "cannot initialise libcurl");
		return -1;
	}
	if (!o->url || curl_url_set(u, CURLUPART_URL, o->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		strbuf_addf(why, "invalid SMTP URL '%s'", o->url ? o->url : "");
		goto out;
	}
	if (strcmp(scheme, "smtp") && strcmp(scheme, "smtps")) {
		strbuf_addf(why, "not an SMTP URL: '%s'", o->url);
		goto out;
	}
	/* a URL is printed and logged: user and password come in smtp_opts only */
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		strbuf_addf(why, "%s://%s: credentials in the SMTP URL", scheme, host);
		goto out;
	}
	strbuf_addf(name, "%s://%s", scheme, host);
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK)
		strbuf_addf(name, ":%s", port);
	*loopback = is_loopback(host);
	*smtps = !strcmp(scheme, "smtps");
	ret = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(user);
	curl_url_cleanup(u);
	return ret;
}

/* What is refused before any connection; -1 with why. */
static int smtp_check(const struct smtp_opts *o, const char *from, const struct strvec *rcpts,
		      const char *name, int loopback, int smtps, struct strbuf *why)
{
	size_t i;

	if (o->starttls < SMTP_TLS_NONE || o->starttls > SMTP_TLS_REQUIRED) {
		strbuf_addf(why, "%s: invalid STARTTLS setting %d", name, o->starttls);
		return -1;
	}
	if (o->user && !smtps && o->starttls != SMTP_TLS_REQUIRED && !loopback) {
		strbuf_addf(why, "%s: refusing to send the password in clear "
			    "(use smtps:// or require STARTTLS)", name);
		return -1;
	}
	if (!from || !bare_address(from)) {
		strbuf_addf(why, "%s: invalid sender address", name);
		return -1;
	}
	if (!rcpts || !rcpts->nr) {
		strbuf_addf(why, "%s: no recipients", name);
		return -1;
	}
	for (i = 0; i < rcpts->nr; i++) {
		if (!bare_address(rcpts->v[i])) {
			strbuf_addf(why, "%s: invalid recipient address #%zu", name, i + 1);
			return -1;
		}
	}
	return 0;
}

static int smtp_setup(CURL *h, const struct smtp_opts *o, const char *from,
		      struct curl_slist *rcpt, struct source *src, struct replies *r,
		      char *errbuf, struct strbuf *why)
{
	static const long use_ssl[] = { CURLUSESSL_NONE, CURLUSESSL_TRY, CURLUSESSL_ALL };
	long timeout = o->timeout_s > 0 ? o->timeout_s : NET_DEFAULT_TIMEOUT;
	CURLcode rc;

	SETOPT(h, CURLOPT_URL, o->url);
	SETOPT(h, CURLOPT_ERRORBUFFER, errbuf);
	SETOPT(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SETOPT(h, CURLOPT_MAIL_FROM, from);
	SETOPT(h, CURLOPT_MAIL_RCPT, rcpt);
	SETOPT(h, CURLOPT_READFUNCTION, source_read);
	SETOPT(h, CURLOPT_READDATA, src);
	SETOPT(h, CURLOPT_UPLOAD, 1L);
	SETOPT(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)src->len);
	SETOPT(h, CURLOPT_USE_SSL, use_ssl[o->starttls]);
	SETOPT(h, CURLOPT_CONNECTTIMEOUT, timeout < NET_CONNECT_TIMEOUT ? timeout :
	       NET_CONNECT_TIMEOUT);
	SETOPT(h, CURLOPT_TIMEOUT, timeout);
	SETOPT(h, CURLOPT_NOSIGNAL, 1L);
	/* the debug callback sees the replies only when verbose; it prints nothing */
	SETOPT(h, CURLOPT_VERBOSE, 1L);
	SETOPT(h, CURLOPT_DEBUGFUNCTION, smtp_debug);
	SETOPT(h, CURLOPT_DEBUGDATA, r);
	if (o->user) {
		SETOPT(h, CURLOPT_USERNAME, o->user);
		SETOPT(h, CURLOPT_PASSWORD, o->password ? o->password : "");
	}
	return 0;
}

#undef SETOPT

static void smtp_failure(struct strbuf *why, const char *name, CURLcode rc, const char *errbuf,
			 const struct replies *r)
{
	const char *text = *errbuf ? errbuf : curl_easy_strerror(rc);

	if (!r->last.len && (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
			     rc == CURLE_OPERATION_TIMEDOUT))
		strbuf_addf(why, "cannot connect to %s: %s", name, text);
	else if (r->error.len)
		strbuf_addf(why, "%s: %s (%s)", name, r->error.buf, text);
	else
		strbuf_addf(why, "%s: %s", name, text);
}

int net_smtp_send(const struct smtp_opts *o, const char *from, const struct strvec *rcpts,
		  const char *message, size_t len, struct strbuf *reply, struct strbuf *why)
{
	struct replies r = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
	struct source src = { .data = message, .len = len };
	struct strbuf name = STRBUF_INIT;
	struct curl_slist *rcpt = NULL, *tmp;
	char errbuf[CURL_ERROR_SIZE] = "";
	int loopback = 0, smtps = 0, ret = -1;
	CURL *h = NULL;
	CURLcode rc;
	size_t i;

	if (smtp_url(o, &name, &loopback, &smtps, why) ||
	    smtp_check(o, from, rcpts, name.buf, loopback, smtps, why))
		goto out;
	for (i = 0; i < rcpts->nr; i++) {
		tmp = curl_slist_append(rcpt, rcpts->v[i]);
		if (!tmp) {
			strbuf_addf(why, "%s: out of memory", name.buf);
			goto out;
		}
		rcpt = tmp;
	}
	h = curl_easy_init();
	if (!h) {
		strbuf_addstr(why, "cannot initialise libcurl");
		goto out;
	}
	if (smtp_setup(h, o, from, rcpt, &src, &r, errbuf, why))
		goto out;
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		smtp_failure(why, name.buf, rc, errbuf, &r);
		goto out;
	}
	strbuf_addstr(reply, r.ok.len ? r.ok.buf : r.last.buf);
	ret = 0;
out:
	/* QUIT goes out here, after the replies that count were read */
	curl_easy_cleanup(h);
	curl_slist_free_all(rcpt);
	strbuf_release(&name);
	strbuf_release(&r.last);
	strbuf_release(&r.error);
	strbuf_release(&r.ok);
	return ret;
}
