/* A fake configfs-tsm tree of FIFOs served by a provider thread, for the attester's tests. */
#ifndef BURH_TEST_FAKE_TSM_H
#define BURH_TEST_FAKE_TSM_H

/* Functions are static inline only so a test using part of the fixture has no unused ones. */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "burh/attester.h"
#include "test_pki.h"

/* What the fake provider hands back. */
typedef enum {
    OUT_SNP,       /* a signed report binding the inblob */
    OUT_SNP_STALE, /* a signed report binding other data */
    OUT_SHORT,     /* 1183 bytes */
    OUT_EMPTY,     /* 0 bytes */
    OUT_OVERSIZED, /* one byte over the 64 KiB cap */
    OUT_GARBAGE,   /* 1184 random bytes */
    OUT_TDX,       /* a v4 quote binding the inblob */
    OUT_TDX_BADLEN /* a v4 quote whose signature length is one too many */
} out_mode;

typedef enum {
    AUX_ABSENT,    /* no auxblob attribute */
    AUX_EMPTY,     /* zero bytes */
    AUX_CERTS,     /* VCEK (padded), ASK, ARK */
    AUX_OUTSIDE,   /* VCEK runs past the end */
    AUX_IN_TABLE,  /* VCEK offset inside the table */
    AUX_OVERLAP,   /* ASK on top of VCEK */
    AUX_NO_END,    /* no terminating entry */
    AUX_DUPLICATE, /* two VCEK entries */
    AUX_NOT_DER,   /* VCEK bytes are not DER */
    AUX_OVERSIZED  /* one byte over the 1 MiB cap */
} aux_mode;

#define CERTS 3
#define ENTRY 24u

typedef struct fake_tsm {
    char root[256];
    char entry[512];
    const char *provider;
    const char *floor; /* privlevel_floor text, NULL: "0" */
    out_mode out;
    aux_mode aux;
    unsigned races;   /* serves that see an extra generation bump */
    bool honour_vmpl; /* put the written privlevel into the report */
    atomic_bool stop;
    pthread_t thread;
    bool running;
    unsigned serves;
    uint64_t generation;
    uint8_t inblob[64];
    uint8_t report[BURH_ATTESTER_SNP_REPORT_SIZE];
    uint8_t *auxblob;
    size_t auxblob_len;
    EVP_PKEY *key;
    uint8_t *der[CERTS];
    size_t der_len[CERTS];
} fake_tsm;

static const uint8_t guid_vcek[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                                      0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
static const uint8_t guid_ask[16] = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
                                     0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82};
static const uint8_t guid_ark[16] = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
                                     0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae};

/* ---- the provider's crypto: a P-384 key and three self-signed certificates ---- */

static inline EVP_PKEY *make_key(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-384");
    assert_non_null(key);
    return key;
}

static inline uint8_t *make_cert(EVP_PKEY *key, const char *cn, size_t *len)
{
    X509 *x = X509_new();
    assert_non_null(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, key);
    assert_true(X509_sign(x, key, EVP_sha384()) > 0);
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    assert_true(n > 0);
    X509_free(x);
    *len = (size_t)n;
    return der;
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline bool report_signature_ok(EVP_PKEY *key, const uint8_t *report)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_lebin2bn(report + 0x2A0, 72, NULL), *s = BN_lebin2bn(report + 0x2E8, 72, NULL);
    ECDSA_SIG_set0(sig, r, s);
    unsigned char *der = NULL;
    int der_len = i2d_ECDSA_SIG(sig, &der);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, key) == 1 &&
              EVP_DigestVerify(md, der, (size_t)der_len, report, 0x2A0) == 1;
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return ok;
}

/* ---- building blobs ---- */

static inline void fill_random(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

static inline void build_snp(fake_tsm *f, const uint8_t *data, uint32_t vmpl)
{
    uint8_t *r = f->report;
    memset(r, 0, sizeof f->report);
    put_le32(r + 0x00, 3);       /* VERSION */
    put_le32(r + 0x08, 0x30000); /* POLICY */
    put_le32(r + 0x30, vmpl);
    put_le32(r + 0x34, 1); /* SIGNATURE_ALGO */
    memcpy(r + 0x50, data, 64);
    fill_random(r + 0x90, 48, 7); /* MEASUREMENT */
    tu_sign_snp_report(f->key, r);
}

static inline uint8_t *build_tdx(const uint8_t *data, bool bad_len, size_t *len)
{
    const size_t sig = 200;
    *len = 48 + 584 + 4 + sig;
    uint8_t *q = calloc(1, *len);
    assert_non_null(q);
    q[0] = 4; /* version */
    q[2] = 2; /* ECDSA P-256 */
    put_le32(q + 4, 0x81);
    memcpy(q + 48 + 520, data, 64);
    put_le32(q + 632, (uint32_t)sig + (bad_len ? 1u : 0u));
    fill_random(q + 636, sig, 3);
    return q;
}

static inline void put_entry(uint8_t *table, size_t i, const uint8_t *guid, uint32_t off,
                             uint32_t len)
{
    memcpy(table + i * ENTRY, guid, 16);
    put_le32(table + i * ENTRY + 16, off);
    put_le32(table + i * ENTRY + 20, len);
}

/* The certificate table the host would hand back; VCEK padded with 8 zero bytes. */
static inline void build_aux(fake_tsm *f)
{
    free(f->auxblob);
    f->auxblob = NULL;
    f->auxblob_len = 0;
    if (f->aux == AUX_ABSENT || f->aux == AUX_EMPTY)
        return;
    if (f->aux == AUX_OVERSIZED) {
        f->auxblob_len = BURH_ATTESTER_MAX_AUXBLOB + 1;
        f->auxblob = calloc(1, f->auxblob_len);
        return;
    }
    size_t table = 4 * ENTRY, len = table + f->der_len[0] + 8 + f->der_len[1] + f->der_len[2];
    uint8_t *a = calloc(1, len);
    assert_non_null(a);
    uint32_t off[CERTS], cert_len[CERTS] = {(uint32_t)f->der_len[0] + 8, (uint32_t)f->der_len[1],
                                            (uint32_t)f->der_len[2]};
    off[0] = (uint32_t)table;
    off[1] = off[0] + cert_len[0];
    off[2] = off[1] + cert_len[1];
    for (int i = 0; i < CERTS; i++)
        memcpy(a + off[i], f->der[i], f->der_len[i]);
    const uint8_t *guids[CERTS] = {guid_vcek, guid_ask, guid_ark};
    for (size_t i = 0; i < CERTS; i++)
        put_entry(a, i, guids[i], off[i], cert_len[i]);
    switch (f->aux) {
    case AUX_OUTSIDE:
        put_entry(a, 0, guid_vcek, off[0], (uint32_t)len);
        break;
    case AUX_IN_TABLE:
        put_entry(a, 0, guid_vcek, 8, cert_len[0]);
        break;
    case AUX_OVERLAP:
        put_entry(a, 1, guid_ask, off[0] + 4, cert_len[1]);
        break;
    case AUX_NO_END:
        memset(a + 3 * ENTRY, 0xA5, 16);
        break;
    case AUX_DUPLICATE:
        put_entry(a, 1, guid_vcek, off[1], cert_len[1]);
        break;
    case AUX_NOT_DER:
        memset(a + off[0], 'A', cert_len[0]);
        break;
    default:
        break;
    }
    f->auxblob = a;
    f->auxblob_len = len;
}

/* ---- the provider thread ---- */

static inline void entry_file(const fake_tsm *f, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", f->entry, name);
}

static inline void write_text(const fake_tsm *f, const char *name, const char *text)
{
    char path[600];
    entry_file(f, name, path, sizeof path);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* The privlevel the attester wrote since the last serve (-1 if none); clears it. */
static inline int take_privlevel(const fake_tsm *f)
{
    char path[600], text[16] = {0};
    entry_file(f, "privlevel", path, sizeof path);
    FILE *fp = fopen(path, "r+");
    if (!fp)
        return -1;
    size_t n = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    if (n == 0)
        return -1;
    if (truncate(path, 0) != 0)
        perror("fake provider: truncate privlevel");
    return atoi(text);
}

/* Reads the whole inblob a writer sends; false when asked to stop first. */
static inline bool receive_inblob(fake_tsm *f, size_t *len)
{
    char path[600];
    entry_file(f, "inblob", path, sizeof path);
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return false;
    uint8_t buf[128];
    size_t got = 0;
    while (!atomic_load(&f->stop)) {
        struct pollfd p = {fd, POLLIN, 0};
        poll(&p, 1, 5);
        ssize_t n = read(fd, buf + got, sizeof buf - got);
        if (n > 0)
            got += (size_t)n;
        else if (n == 0 && got > 0)
            break; /* the writer closed: the inblob is complete */
        if (got == sizeof buf)
            break;
    }
    close(fd);
    memcpy(f->inblob, buf, got < 64 ? got : 64);
    *len = got;
    return !atomic_load(&f->stop);
}

/* Hands blob to the reader of FIFO `name` once it opens it. */
static inline void send_blob(fake_tsm *f, const char *name, const uint8_t *blob, size_t len)
{
    char path[600];
    entry_file(f, name, path, sizeof path);
    int fd = -1;
    while (fd < 0 && !atomic_load(&f->stop)) {
        fd = open(path, O_WRONLY | O_NONBLOCK);
        if (fd < 0)
            usleep(1000);
    }
    if (fd < 0)
        return;
    fcntl(fd, F_SETFL, 0);
    for (size_t done = 0; done < len;) {
        ssize_t n = write(fd, blob + done, len - done);
        if (n <= 0)
            break; /* the reader gave up (EPIPE): an oversized blob */
        done += (size_t)n;
    }
    close(fd);
}

static inline void serve_once(fake_tsm *f)
{
    int level = take_privlevel(f);
    f->generation += 1 + (level >= 0) + (f->races > 0);
    if (f->races > 0)
        f->races--;
    char gen[32];
    snprintf(gen, sizeof gen, "%llu\n", (unsigned long long)f->generation);
    write_text(f, "generation", gen);
    uint8_t other[64] = {0xEE};
    uint8_t *blob = f->report, *owned = NULL;
    size_t len = sizeof f->report;
    build_snp(f, f->out == OUT_SNP_STALE ? other : f->inblob,
              f->honour_vmpl && level > 0 ? (uint32_t)level : 0);
    switch (f->out) {
    case OUT_SHORT:
        len--;
        break;
    case OUT_EMPTY:
        len = 0;
        break;
    case OUT_OVERSIZED:
        len = BURH_ATTESTER_MAX_OUTBLOB + 1;
        blob = owned = calloc(1, len);
        break;
    case OUT_GARBAGE:
        fill_random(f->report, len, 99);
        break;
    case OUT_TDX:
    case OUT_TDX_BADLEN:
        blob = owned = build_tdx(f->inblob, f->out == OUT_TDX_BADLEN, &len);
        break;
    default:
        break;
    }
    send_blob(f, "outblob", blob, len);
    free(owned);
    if (f->aux != AUX_ABSENT) {
        build_aux(f);
        send_blob(f, "auxblob", f->auxblob, f->auxblob_len);
    }
    f->serves++;
}

static inline void *provider_thread(void *arg)
{
    fake_tsm *f = arg;
    size_t len;
    while (receive_inblob(f, &len))
        serve_once(f);
    return NULL;
}

/* ---- the hooks: what the kernel does on mkdir and rmdir ---- */

static inline int fake_entry_made(void *ctx, const char *path)
{
    fake_tsm *f = ctx;
    snprintf(f->entry, sizeof f->entry, "%s", path);
    char p[600], text[64];
    snprintf(text, sizeof text, "%s\n", f->provider);
    write_text(f, "provider", text);
    snprintf(text, sizeof text, "%llu\n", (unsigned long long)f->generation);
    write_text(f, "generation", text);
    write_text(f, "privlevel_floor", f->floor ? f->floor : "0\n");
    write_text(f, "privlevel", "");
    const char *fifos[] = {"inblob", "outblob", "auxblob"};
    for (int i = 0; i < (f->aux == AUX_ABSENT ? 2 : 3); i++) {
        entry_file(f, fifos[i], p, sizeof p);
        if (mkfifo(p, 0600) != 0)
            return -1;
    }
    atomic_store(&f->stop, false);
    f->running = pthread_create(&f->thread, NULL, provider_thread, f) == 0;
    return f->running ? 0 : -1;
}

static inline void fake_entry_removing(void *ctx, const char *path)
{
    fake_tsm *f = ctx;
    atomic_store(&f->stop, true);
    if (f->running)
        pthread_join(f->thread, NULL);
    f->running = false;
    const char *names[] = {"inblob",     "outblob",         "auxblob",  "provider",
                           "generation", "privlevel_floor", "privlevel"};
    char p[600];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", path, names[i]);
        unlink(p);
    }
}

static const burh_attester_tsm_hooks *hooks_for(fake_tsm *f)
{
    static burh_attester_tsm_hooks hooks;
    hooks = (burh_attester_tsm_hooks){f, fake_entry_made, fake_entry_removing};
    return &hooks;
}

/* ---- fixture ---- */

static inline int setup(void **state)
{
    fake_tsm *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->root, sizeof f->root, "/tmp/burh-attester-test-XXXXXX");
    assert_non_null(mkdtemp(f->root));
    f->provider = "sev_guest";
    f->aux = AUX_CERTS;
    f->generation = 5;
    f->key = make_key();
    const char *cns[CERTS] = {"VCEK", "SEV-Milan", "ARK-Milan"};
    for (int i = 0; i < CERTS; i++)
        f->der[i] = make_cert(f->key, cns[i], &f->der_len[i]);
    *state = f;
    return 0;
}

static inline bool root_is_empty(const fake_tsm *f)
{
    DIR *d = opendir(f->root);
    if (!d)
        return false;
    struct dirent *de;
    int entries = 0;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            entries++;
    closedir(d);
    return entries == 0;
}

static inline int teardown(void **state)
{
    fake_tsm *f = *state;
    bool empty = root_is_empty(f);
    if (!empty) { /* clean up what a failed test left, then fail */
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", f->root);
    }
    rmdir(f->root);
    assert_true(empty); /* every entry the attester made is gone */
    EVP_PKEY_free(f->key);
    for (int i = 0; i < CERTS; i++)
        OPENSSL_free(f->der[i]);
    free(f->auxblob);
    free(f);
    return 0;
}

static inline burh_attester_config config_for(fake_tsm *f)
{
    burh_attester_config cfg = {0};
    cfg.tsm_root = (burh_attester_str){f->root, strlen(f->root)};
    cfg.no_sev_guest = true;
    cfg.tsm_hooks = hooks_for(f);
    return cfg;
}

static inline void make_report_data(uint8_t rd[64])
{
    fill_random(rd, 64, (unsigned)time(NULL));
    rd[0] = 0x42;
}

/* Runs one request and checks that a failure leaves nothing behind. */
static inline burh_attester_status request(const burh_attester_config *cfg, const uint8_t rd[64],
                                           burh_evidence *ev, burh_attester_error *err)
{
    memset(err, 0, sizeof *err);
    burh_attester_status st = burh_attester_get_evidence(cfg, rd, ev, err);
    assert_int_equal(err->status, st);
    if (st != BURH_ATTESTER_OK) {
        assert_null(ev->report);
        assert_null(ev->auxblob);
        assert_true(err->message[0] != '\0');
    }
    return st;
}

static inline burh_attester_status run_mode(void **state, out_mode out, aux_mode aux)
{
    fake_tsm *f = *state;
    f->out = out;
    f->aux = aux;
    burh_attester_config cfg = config_for(f);
    uint8_t rd[64];
    make_report_data(rd);
    burh_evidence ev;
    burh_attester_error err;
    burh_attester_status st = request(&cfg, rd, &ev, &err);
    burh_evidence_free(&ev);
    return st;
}

#endif
