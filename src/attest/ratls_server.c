/* RA-TLS server context, apart from the client's check so the keep does not link the verifier. */
#include <openssl/err.h>

#include "attest/attest_internal.h"
#include "attest/ratls_internal.h"

burh_attest_status burh_ratls_server_ctx_new(EVP_PKEY *key, X509 *cert, SSL_CTX **out,
                                             burh_attest_error *err)
{
    if (!key || !cert || !out)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "RA-TLS server: bad arguments");
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    bool ok = ctx && SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) &&
              SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) &&
              SSL_CTX_use_certificate(ctx, cert) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1 &&
              SSL_CTX_check_private_key(ctx) == 1;
    if (!ok) {
        SSL_CTX_free(ctx);
        ERR_clear_error();
        return burh_attest_fail(err, BURH_ATTEST_ERR_CRYPTO,
                                "RA-TLS server: the key does not fit the certificate or TLS 1.3 "
                                "is unavailable");
    }
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    *out = ctx;
    return BURH_ATTEST_OK;
}
