/* RA-TLS in the handshake: the client's certificate check (the server side: ratls_server.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "attest/attest_internal.h"
#include "attest/ratls_internal.h"

struct burh_ratls_checker {
    burh_attest_verifier *verifier; /* borrowed */
    burh_ratls_expect expect;       /* nonce points at nonce_copy */
    uint8_t nonce_copy[BURH_RATLS_MAX_NONCE];
    burh_ratls_result *last; /* owned; the last handshake's verdict */
    char error[256];         /* why the last verification could not run */
};

burh_attest_status burh_ratls_checker_new(burh_attest_verifier *verifier,
                                          const burh_ratls_expect *expect, burh_ratls_checker **out,
                                          burh_attest_error *err)
{
    if (!verifier || !out || (expect && expect->nonce.len > BURH_RATLS_MAX_NONCE) ||
        (expect && expect->nonce.len && !expect->nonce.ptr))
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "RA-TLS checker: bad arguments");
    burh_ratls_checker *c = calloc(1, sizeof *c);
    if (!c)
        return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "RA-TLS checker: out of memory");
    c->verifier = verifier;
    if (expect) {
        c->expect = *expect;
        if (expect->nonce.len)
            memcpy(c->nonce_copy, expect->nonce.ptr, expect->nonce.len);
        c->expect.nonce = (burh_bytes){c->nonce_copy, expect->nonce.len};
    }
    *out = c;
    return BURH_ATTEST_OK;
}

void burh_ratls_checker_free(burh_ratls_checker *c)
{
    if (!c)
        return;
    burh_ratls_result_free(c->last);
    free(c);
}

const burh_ratls_result *burh_ratls_checker_result(const burh_ratls_checker *c)
{
    return c ? c->last : NULL;
}

const char *burh_ratls_checker_error(const burh_ratls_checker *c)
{
    return c ? c->error : "";
}

/* Replaces OpenSSL's chain building: the peer's leaf is self-signed and is judged by its
 * evidence alone. Returning 0 with SSL_VERIFY_PEER aborts the handshake. */
static int verify_peer(X509_STORE_CTX *store, void *arg)
{
    burh_ratls_checker *c = arg;
    X509 *leaf = X509_STORE_CTX_get0_cert(store);
    burh_attest_error e = {0};

    burh_ratls_result_free(c->last);
    c->last = NULL;
    c->error[0] = '\0';
    if (!leaf) {
        snprintf(c->error, sizeof c->error, "the peer sent no certificate");
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    if (burh_ratls_verify_cert(leaf, &c->expect, c->verifier, &c->last, &e) != BURH_ATTEST_OK) {
        snprintf(c->error, sizeof c->error, "%s", e.message);
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    if (!burh_ratls_result_accepted(c->last)) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    X509_STORE_CTX_set_error(store, X509_V_OK);
    return 1;
}

burh_attest_status burh_ratls_checker_install(burh_ratls_checker *c, SSL_CTX *ctx,
                                              burh_attest_error *err)
{
    if (!c || !ctx)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "RA-TLS install: bad arguments");
    if (!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION))
        return burh_attest_fail(err, BURH_ATTEST_ERR_CRYPTO, "RA-TLS install: no TLS 1.3");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_cert_verify_callback(ctx, verify_peer, c);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    return BURH_ATTEST_OK;
}
