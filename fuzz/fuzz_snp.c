/* libFuzzer target: SNP report parsing and full verification against a fixed generated chain. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "burh/attest.h"

/*
 * Input: one flag byte, then the evidence. Flag bit 0 set and a 1184-byte report (alone or inside
 * an HCL report): the fuzzer's report is signed with the fixed VCEK key first, so that mutations
 * reach the checks behind the signature (chip id, TCB, guest policy, relying-party policy).
 */
#define FUZZ_AT 1800000000LL

static burh_attest_verifier *verifier;
static EVP_PKEY *vcek_key;

static void add_amd_ext(X509 *x, const char *oid_text, const uint8_t *value, int len)
{
    ASN1_OBJECT *oid = OBJ_txt2obj(oid_text, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(os, value, len);
    X509_EXTENSION *ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(oid);
}

static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), issuer ? 2 : 1);
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509_NAME_free(name);
    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(FUZZ_AT - 86400));
    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(FUZZ_AT + 86400));
    X509_set_pubkey(x, key);
    if (!issuer) {
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
        X509_EXTENSION *bc =
            X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
        X509_add_ext(x, bc, -1);
        X509_EXTENSION_free(bc);
    } else {
        static const uint8_t product[] = {0x16, 5, 'M', 'i', 'l', 'a', 'n'};
        static const uint8_t spl_bl[] = {2, 1, 3}, spl_tee[] = {2, 1, 0}, spl_snp[] = {2, 1, 8},
                             spl_ucode[] = {2, 1, 115};
        uint8_t hwid[64];
        memset(hwid, 0x5A, sizeof hwid);
        add_amd_ext(x, "1.3.6.1.4.1.3704.1.2", product, sizeof product);
        add_amd_ext(x, "1.3.6.1.4.1.3704.1.3.1", spl_bl, sizeof spl_bl);
        add_amd_ext(x, "1.3.6.1.4.1.3704.1.3.2", spl_tee, sizeof spl_tee);
        add_amd_ext(x, "1.3.6.1.4.1.3704.1.3.3", spl_snp, sizeof spl_snp);
        add_amd_ext(x, "1.3.6.1.4.1.3704.1.3.8", spl_ucode, sizeof spl_ucode);
        add_amd_ext(x, "1.3.6.1.4.1.3704.1.4", hwid, sizeof hwid);
    }
    X509_sign(x, issuer_key, EVP_sha384());
    return x;
}

static void add_cert(X509 *cert, int as_root)
{
    unsigned char *der = NULL;
    int n = i2d_X509(cert, &der);
    burh_bytes b = {der, (size_t)n};
    if (as_root)
        burh_attest_verifier_trust_roots(verifier, b, NULL);
    else
        burh_attest_verifier_add_certs(verifier, b, NULL);
    OPENSSL_free(der);
}

static void setup(void)
{
    EVP_PKEY *root_key = EVP_RSA_gen(2048);
    vcek_key = EVP_EC_gen("secp384r1");
    if (!root_key || !vcek_key || burh_attest_verifier_new(&verifier, NULL) != BURH_ATTEST_OK)
        abort();
    X509 *root = make_cert("ARK-Fuzz", root_key, NULL, root_key);
    X509 *vcek = make_cert("SEV-VCEK", vcek_key, root, root_key);
    add_cert(root, 1);
    add_cert(root, 0);
    add_cert(vcek, 0);
    burh_attest_verifier_set_time(verifier, FUZZ_AT);
    X509_free(root);
    X509_free(vcek);
    EVP_PKEY_free(root_key);
}

static void sign_report(uint8_t *report)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char der[160];
    size_t der_len = sizeof der;
    if (EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, vcek_key) == 1 &&
        EVP_DigestSign(md, der, &der_len, report, BURH_SNP_SIGNED_SIZE) == 1) {
        const unsigned char *p = der;
        ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
        if (sig) {
            BN_bn2lebinpad(ECDSA_SIG_get0_r(sig), report + 0x2A0, 72);
            BN_bn2lebinpad(ECDSA_SIG_get0_s(sig), report + 0x2E8, 72);
            ECDSA_SIG_free(sig);
        }
    }
    EVP_MD_CTX_free(md);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!verifier)
        setup();
    if (size < 1)
        return 0;
    uint8_t flags = data[0];
    uint8_t *copy = malloc(size - 1 ? size - 1 : 1);
    if (!copy)
        return 0;
    memcpy(copy, data + 1, size - 1);
    burh_bytes evidence = {copy, size - 1};
    burh_snp_report rep;
    uint32_t defects;
    burh_snp_report_parse(evidence, &rep, &defects, NULL);
    if ((flags & 1) && evidence.len == BURH_SNP_REPORT_SIZE)
        sign_report(copy);
    else if ((flags & 1) && evidence.len >= 32 + BURH_SNP_REPORT_SIZE &&
             memcmp(copy, "HCLA", 4) == 0)
        sign_report(copy + 32); /* the SNP report inside an Azure HCL report */
    burh_attest_result *r = NULL;
    if (burh_attest_verify(verifier, BURH_PLATFORM_AUTO, evidence, &r, NULL) == BURH_ATTEST_OK) {
        char *json = json_dumps(burh_attest_result_claims(r), 0);
        free(json);
        for (size_t i = 0; i < burh_attest_result_failed_count(r); i++)
            if (!burh_attest_result_failed_name(r, i) || !burh_attest_result_failed_detail(r, i))
                abort();
        burh_attest_result_free(r);
    }
    free(copy);
    return 0;
}
