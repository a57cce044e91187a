/* RA-TLS in real TLS 1.3 handshakes: OpenSSL over a socketpair, libcurl over loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <openssl/err.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "burh/ratls.h"

#define ALLOW_NIL "{\"allow_backends\": [\"nil\"]}"

static const uint8_t NONCE[] = {0xde, 0xad, 0xbe, 0xef};

/* A keep: its key, RA-TLS certificate (nil evidence bound to `nonce`) and server context. */
typedef struct keep {
    EVP_PKEY *key;
    X509 *cert;
    SSL_CTX *ctx;
} keep;

static void keep_make(keep *k, burh_bytes nonce)
{
    uint8_t claims[BURH_RATLS_CLAIMS_MAX], ev[BURH_UNSIGNED_EVIDENCE_SIZE];
    size_t claims_len = 0;
    burh_unsigned_evidence u = {.backend = BURH_PLATFORM_NIL};
    assert_int_equal(burh_ratls_key_generate(&k->key, NULL), BURH_ATTEST_OK);
    assert_int_equal(
        burh_ratls_claims_make(k->key, nonce, claims, sizeof claims, &claims_len, NULL),
        BURH_ATTEST_OK);
    burh_ratls_report_data((burh_bytes){claims, claims_len}, u.report_data);
    assert_int_equal(burh_unsigned_evidence_make(&u, ev, sizeof ev, NULL), BURH_ATTEST_OK);
    burh_ratls_cert_params p = {.key = k->key,
                                .platform = BURH_PLATFORM_NIL,
                                .evidence = {ev, sizeof ev},
                                .claims = {claims, claims_len}};
    assert_int_equal(burh_ratls_cert_make(&p, &k->cert, NULL), BURH_ATTEST_OK);
    assert_int_equal(burh_ratls_server_ctx_new(k->key, k->cert, &k->ctx, NULL), BURH_ATTEST_OK);
}

static void keep_free(keep *k)
{
    SSL_CTX_free(k->ctx);
    X509_free(k->cert);
    EVP_PKEY_free(k->key);
}

static burh_attest_verifier *verifier_allowing_nil(void)
{
    burh_attest_verifier *v = NULL;
    burh_attest_policy *p = NULL;
    assert_int_equal(burh_attest_verifier_new(&v, NULL), BURH_ATTEST_OK);
    assert_int_equal(burh_attest_policy_parse(
                         (burh_bytes){(const uint8_t *)ALLOW_NIL, strlen(ALLOW_NIL)}, &p, NULL),
                     BURH_ATTEST_OK);
    burh_attest_verifier_set_policy(v, p);
    return v;
}

/* ---- OpenSSL over a socketpair ---- */

typedef struct server_run {
    SSL_CTX *ctx;
    int fd;
    int accepted; /* SSL_accept's return */
    char request[64];
} server_run;

static void *serve(void *arg)
{
    server_run *s = arg;
    SSL *ssl = SSL_new(s->ctx);
    SSL_set_fd(ssl, s->fd);
    s->accepted = SSL_accept(ssl);
    if (s->accepted == 1) {
        int n = SSL_read(ssl, s->request, sizeof s->request - 1);
        if (n > 0)
            s->request[n] = '\0';
        SSL_write(ssl, "pong", 4);
        SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    close(s->fd);
    return NULL;
}

/* One handshake of a client with `checker` against `k`; returns SSL_connect's result. */
static int handshake(keep *k, burh_ratls_checker *checker, char *reply, size_t reply_cap)
{
    int fds[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    server_run s = {.ctx = k->ctx, .fd = fds[1]};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, serve, &s), 0);

    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    assert_int_equal(burh_ratls_checker_install(checker, cctx, NULL), BURH_ATTEST_OK);
    SSL *ssl = SSL_new(cctx);
    SSL_set_fd(ssl, fds[0]);
    int rc = SSL_connect(ssl);
    reply[0] = '\0';
    if (rc == 1) {
        assert_int_equal(SSL_version(ssl), TLS1_3_VERSION);
        SSL_write(ssl, "ping", 4);
        int n = SSL_read(ssl, reply, (int)reply_cap - 1);
        if (n > 0)
            reply[n] = '\0';
    }
    SSL_free(ssl);
    SSL_CTX_free(cctx);
    close(fds[0]);
    pthread_join(t, NULL);
    if (rc != 1) {
        assert_int_not_equal(s.accepted, 1);
        assert_string_equal(s.request, ""); /* nothing reached the keep */
    }
    ERR_clear_error();
    return rc;
}

static void test_handshake_accepts_good_keep(void **state)
{
    (void)state;
    keep k;
    keep_make(&k, (burh_bytes){NONCE, sizeof NONCE});
    burh_attest_verifier *v = verifier_allowing_nil();
    burh_ratls_expect x = {.nonce = {NONCE, sizeof NONCE}};
    burh_ratls_checker *c = NULL;
    assert_int_equal(burh_ratls_checker_new(v, &x, &c, NULL), BURH_ATTEST_OK);
    char reply[16];
    assert_int_equal(handshake(&k, c, reply, sizeof reply), 1);
    assert_string_equal(reply, "pong");
    assert_true(burh_ratls_result_accepted(burh_ratls_checker_result(c)));
    burh_ratls_checker_free(c);
    burh_attest_verifier_free(v);
    keep_free(&k);
}

static void test_handshake_aborts_on_bad_keep(void **state)
{
    (void)state;
    static const uint8_t other[] = {1, 2, 3, 4};
    keep k;
    keep_make(&k, (burh_bytes){other, sizeof other}); /* a replayed certificate */
    burh_attest_verifier *v = verifier_allowing_nil();
    burh_ratls_expect x = {.nonce = {NONCE, sizeof NONCE}};
    burh_ratls_checker *c = NULL;
    assert_int_equal(burh_ratls_checker_new(v, &x, &c, NULL), BURH_ATTEST_OK);
    char reply[16];
    assert_true(handshake(&k, c, reply, sizeof reply) != 1);
    const burh_ratls_result *r = burh_ratls_checker_result(c);
    assert_non_null(r);
    assert_true(burh_ratls_result_failed(r, "ratls.nonce"));
    burh_ratls_checker_free(c);
    burh_attest_verifier_free(v);

    /* The right nonce but a policy that refuses nil evidence. */
    keep_free(&k);
    keep_make(&k, (burh_bytes){NONCE, sizeof NONCE});
    assert_int_equal(burh_attest_verifier_new(&v, NULL), BURH_ATTEST_OK);
    assert_int_equal(burh_ratls_checker_new(v, &x, &c, NULL), BURH_ATTEST_OK);
    assert_true(handshake(&k, c, reply, sizeof reply) != 1);
    assert_true(burh_ratls_result_failed(burh_ratls_checker_result(c), "nil.unsigned"));
    burh_ratls_checker_free(c);
    burh_attest_verifier_free(v);
    keep_free(&k);
}

/* ---- libcurl over loopback ---- */

typedef struct http_run {
    SSL_CTX *ctx;
    int listen_fd;
    size_t request_bytes; /* what the keep received after the handshake */
} http_run;

static void *serve_http(void *arg)
{
    http_run *h = arg;
    int fd = accept(h->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    SSL *ssl = SSL_new(h->ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
        char buf[2048];
        int n = SSL_read(ssl, buf, sizeof buf);
        if (n > 0)
            h->request_bytes = (size_t)n;
        static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                                   "Connection: close\r\n\r\nok";
        SSL_write(ssl, resp, (int)sizeof resp - 1);
        SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    close(fd);
    return NULL;
}

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
    char *out = arg;
    size_t have = strlen(out), add = size * n;
    if (have + add < 16) {
        memcpy(out + have, p, add);
        out[have + add] = '\0';
    }
    return add;
}

/* One HTTPS GET through libcurl with the checker; returns curl's result code. */
static CURLcode curl_get(keep *k, burh_ratls_checker *c, char body[16], size_t *request_bytes)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof addr;
    assert_int_equal(bind(lfd, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(listen(lfd, 1), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&addr, &alen), 0);
    http_run h = {.ctx = k->ctx, .listen_fd = lfd};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, serve_http, &h), 0);

    char url[64];
    snprintf(url, sizeof url, "https://127.0.0.1:%u/workload", ntohs(addr.sin_port));
    CURL *curl = curl_easy_init();
    assert_non_null(curl);
    assert_true(burh_ratls_curl_install(curl, c));
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    body[0] = '\0';
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    pthread_join(t, NULL);
    close(lfd);
    *request_bytes = h.request_bytes;
    return rc;
}

static void test_curl(void **state)
{
    (void)state;
    keep k;
    keep_make(&k, (burh_bytes){NONCE, sizeof NONCE});
    burh_attest_verifier *v = verifier_allowing_nil();
    burh_ratls_expect x = {.nonce = {NONCE, sizeof NONCE}};
    burh_ratls_checker *c = NULL;
    assert_int_equal(burh_ratls_checker_new(v, &x, &c, NULL), BURH_ATTEST_OK);
    char body[16];
    size_t got = 0;
    assert_int_equal(curl_get(&k, c, body, &got), CURLE_OK);
    assert_string_equal(body, "ok");
    assert_true(got > 0);
    assert_true(burh_ratls_result_accepted(burh_ratls_checker_result(c)));
    burh_ratls_checker_free(c);

    static const uint8_t stale[] = {9, 9};
    x.nonce = (burh_bytes){stale, sizeof stale};
    assert_int_equal(burh_ratls_checker_new(v, &x, &c, NULL), BURH_ATTEST_OK);
    assert_int_not_equal(curl_get(&k, c, body, &got), CURLE_OK);
    assert_int_equal(got, 0); /* not a byte of the request reached the keep */
    assert_true(burh_ratls_result_failed(burh_ratls_checker_result(c), "ratls.nonce"));
    burh_ratls_checker_free(c);
    burh_attest_verifier_free(v);
    keep_free(&k);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_accepts_good_keep),
        cmocka_unit_test(test_handshake_aborts_on_bad_keep),
        cmocka_unit_test(test_curl),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
