/* RA-TLS for libcurl clients: installs the handshake check on a curl handle. Kept apart
 * from ratls_tls.c so the keep, which only serves TLS, does not link libcurl. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <openssl/err.h>
#include "attest/attest_internal.h"
#include "attest/ratls_internal.h"

static CURLcode curl_ssl_ctx(CURL *curl, void *ssl_ctx, void *arg)
{
    (void)curl;
    return burh_ratls_checker_install(arg, ssl_ctx, NULL) == BURH_ATTEST_OK ? CURLE_OK
                                                                            : CURLE_SSL_CERTPROBLEM;
}

bool burh_ratls_curl_install(void *curl_easy, burh_ratls_checker *c)
{
    CURL *h = curl_easy;
    if (!h || !c)
        return false;
    /* The checker decides trust; curl's own CA and host-name checks would refuse the
     * self-signed "burh keep" certificate, and a reused session would skip the checker. */
    return curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, curl_ssl_ctx) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, c) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_3) == CURLE_OK;
}
