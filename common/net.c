// SPDX-License-Identifier: GPL-2.0-only
#include "common/net.h"

#include <string.h>

#include <curl/curl.h>

#define NET_DEFAULT_LIMIT	((size_t)256 << 20)
#define NET_DEFAULT_TIMEOUT	120L
#define NET_CONNECT_TIMEOUT	15L
#define NET_MAX_REDIRS		5L

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

static int setup(CURL *h, const char *url, struct sink *sink, char *errbuf,
		 unsigned timeout_s, struct strbuf *why)
{
	CURLcode rc;

	SETOPT(h, CURLOPT_URL, url);
	SETOPT(h, CURLOPT_ERRORBUFFER, errbuf);
	SETOPT(h, CURLOPT_WRITEFUNCTION, sink_write);
	SETOPT(h, CURLOPT_WRITEDATA, sink);
	/* plain http(s) only, on redirects too: no file://, no gopher:// */
	SETOPT(h, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
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

#undef SETOPT

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
