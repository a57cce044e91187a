/* AMD Key Distribution Service client: fetches VCEK, cert_chain and CRL, with a file cache. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/attest_internal.h"

#define KDS_DEFAULT_BASE "https://kdsintf.amd.com"
burh_attest_status burh_attest_kds_vcek_path(const burh_snp_report *report,
                                             burh_snp_product product, char *out, size_t out_len,
                                             burh_attest_error *err)
{
    if (!report || !out || product == BURH_SNP_PRODUCT_UNKNOWN)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "KDS: the product is unknown");
    burh_snp_tcb t = burh_snp_tcb_decode(report->reported_tcb, product);
    /* Turin VCEKs are indexed by the first 8 bytes of CHIP_ID and include the FMC SPL. */
    size_t id_len = product == BURH_SNP_PRODUCT_TURIN ? 8 : 64;
    char hwid[2 * 64 + 1], fmc[16] = "";
    burh_attest_hex_encode(report->chip_id, id_len, hwid);
    if (product == BURH_SNP_PRODUCT_TURIN)
        snprintf(fmc, sizeof fmc, "fmcSPL=%02u&", t.fmc);
    int n = snprintf(
        out, out_len, "/vcek/v1/%s/%s?%sblSPL=%02u&teeSPL=%02u&snpSPL=%02u&ucodeSPL=%02u",
        burh_snp_product_name(product), hwid, fmc, t.bootloader, t.tee, t.snp, t.microcode);
    if (n < 0 || (size_t)n >= out_len)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "KDS: URL buffer too small");
    return BURH_ATTEST_OK;
}

typedef struct kds_request {
    const char *base;
    const char *cache_dir; /* "" = no cache */
    bool refresh;          /* fetch even when cached (CRLs) */
} kds_request;

typedef burh_attest_status (*collateral_sink)(burh_attest_verifier *, burh_bytes,
                                              burh_attest_error *);

static burh_attest_status fetch_one(burh_attest_verifier *v, const kds_request *rq,
                                    const char *path, const char *cache_name, collateral_sink sink,
                                    burh_attest_error *err)
{
    char url[1024], cached[4096];
    if ((size_t)snprintf(url, sizeof url, "%s%s", rq->base, path) >= sizeof url)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "KDS: URL too long");
    bool have_cache = rq->cache_dir[0] != '\0';
    if (have_cache && (size_t)snprintf(cached, sizeof cached, "%s/%s", rq->cache_dir, cache_name) >=
                          sizeof cached)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "KDS: cache path too long");
    burh_http_fetch fetch = {
        .url = url, .cache_path = have_cache ? cached : NULL, .refresh = rq->refresh};
    burh_http_body body;
    burh_attest_status st = burh_attest_http_fetch(&fetch, &body, err);
    if (st != BURH_ATTEST_OK)
        return st;
    st = sink(v, (burh_bytes){body.data, body.len}, err);
    burh_http_body_free(&body);
    return st;
}

burh_attest_status burh_attest_kds_fetch(burh_attest_verifier *v, burh_bytes report,
                                         burh_snp_product product, const burh_attest_kds *opts,
                                         burh_attest_error *err)
{
    burh_snp_report rep;
    char base[512], cache[2048], path[512], name[600];
    if (!v || !opts)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "KDS: bad arguments");
    if (burh_snp_report_parse(report, &rep, NULL, err) != BURH_ATTEST_OK)
        return err ? err->status : BURH_ATTEST_ERR_MALFORMED;
    if (product == BURH_SNP_PRODUCT_UNKNOWN)
        product = burh_snp_report_product(&rep);
    if (product == BURH_SNP_PRODUCT_UNKNOWN)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS,
                                "KDS: a version 2 report does not say its product; name it");
    burh_bytes default_base = {(const uint8_t *)KDS_DEFAULT_BASE, strlen(KDS_DEFAULT_BASE)};
    if (!burh_attest_copy_text(opts->base_url.len ? opts->base_url : default_base, base,
                               sizeof base) ||
        !burh_attest_copy_text(opts->cache_dir, cache, sizeof cache))
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "KDS: bad base URL or cache directory");
    if (cache[0] && mkdir(cache, 0700) != 0 && errno != EEXIST)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "KDS: cannot create %s", cache);
    const char *pname = burh_snp_product_name(product);
    const char *kind = rep.signing_key == BURH_SNP_KEY_VLEK ? "vlek" : "vcek";
    kds_request rq = {.base = base, .cache_dir = cache};
    burh_attest_status st;
    if (rep.signing_key == BURH_SNP_KEY_VCEK) {
        /* VLEKs are provisioned by the cloud provider, not served by KDS. */
        st = burh_attest_kds_vcek_path(&rep, product, path, sizeof path, err);
        if (st != BURH_ATTEST_OK)
            return st;
        char hwid[2 * 64 + 1];
        burh_attest_hex_encode(rep.chip_id, product == BURH_SNP_PRODUCT_TURIN ? 8 : 64, hwid);
        snprintf(name, sizeof name, "vcek-%s-%s-%016llx.der", pname, hwid,
                 (unsigned long long)rep.reported_tcb);
        st = fetch_one(v, &rq, path, name, burh_attest_verifier_add_certs, err);
        if (st != BURH_ATTEST_OK)
            return st;
    }
    snprintf(path, sizeof path, "/%s/v1/%s/cert_chain", kind, pname);
    snprintf(name, sizeof name, "%s-cert_chain-%s.pem", kind, pname);
    st = fetch_one(v, &rq, path, name, burh_attest_verifier_add_certs, err);
    if (st != BURH_ATTEST_OK || !opts->fetch_crl)
        return st;
    snprintf(path, sizeof path, "/%s/v1/%s/crl", kind, pname);
    snprintf(name, sizeof name, "%s-crl-%s.der", kind, pname);
    rq.refresh = true;
    return fetch_one(v, &rq, path, name, burh_attest_verifier_add_crl, err);
}
