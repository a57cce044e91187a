/* burh attester: obtain hardware attestation evidence from inside a confidential VM. */
#ifndef BURH_ATTESTER_H
#define BURH_ATTESTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What it does
 *   Inside an AMD SEV-SNP or Intel TDX guest, asks the kernel for a report (SNP) or quote (TDX)
 *   that binds 64 bytes of caller data (REPORT_DATA), plus the host's endorsement certificates
 *   when it has them. Sources, in order:
 *     1. Linux configfs-tsm (/sys/kernel/config/tsm/report, kernel 6.7+): SNP and TDX.
 *     2. /dev/sev-guest SNP_GET_EXT_REPORT / SNP_GET_REPORT ioctls: SNP guests on older kernels.
 *   The attester checks sizes, formats and that the evidence really carries the caller's
 *   REPORT_DATA; it does NOT verify signatures (that is the verifier's job, burh/attest.h).
 *
 * Ownership
 *   burh_attester_get_evidence fills a caller-provided burh_evidence whose buffers the attester
 *   allocates; the caller releases them with burh_evidence_free (also safe on a zeroed or
 *   failed burh_evidence). Configuration strings are {ptr,len} ranges only read during a call.
 *
 * Errors
 *   Every call returns a burh_attester_status and, given a burh_attester_error, fills it with
 *   the status, the errno involved (0 if none) and a message for humans.
 *
 * Threads
 *   Calls are independent; each uses its own uniquely named configfs-tsm entry.
 */

typedef enum {
    BURH_ATTESTER_OK = 0,
    BURH_ATTESTER_ERR_ARGS,        /* wrong arguments or configuration */
    BURH_ATTESTER_ERR_NOMEM,       /* out of memory */
    BURH_ATTESTER_ERR_NO_DEVICE,   /* no configfs-tsm tree and no guest device */
    BURH_ATTESTER_ERR_NO_PROVIDER, /* configfs-tsm exists but no TSM driver is registered */
    BURH_ATTESTER_ERR_UNSUPPORTED, /* a provider or device burh does not handle */
    BURH_ATTESTER_ERR_IO,          /* a file operation or ioctl failed (see sys_errno) */
    BURH_ATTESTER_ERR_FIRMWARE,    /* the firmware or host refused the request */
    BURH_ATTESTER_ERR_TOO_LARGE,   /* a blob is larger than its cap */
    BURH_ATTESTER_ERR_MALFORMED,   /* a report or quote has the wrong size or format */
    BURH_ATTESTER_ERR_CERT_TABLE,  /* the certificate table (auxblob) is malformed */
    BURH_ATTESTER_ERR_NOT_BOUND,   /* the evidence does not carry the requested REPORT_DATA */
    BURH_ATTESTER_ERR_RACE,        /* another writer changed the entry on every attempt */
} burh_attester_status;

/* A message for each status; never NULL. */
const char *burh_attester_strerror(burh_attester_status status);

typedef struct burh_attester_error {
    burh_attester_status status;
    int sys_errno;     /* the errno behind an IO error, else 0 */
    char message[256]; /* NUL-terminated */
} burh_attester_error;

/* A string given as a byte range (no NUL needed). Empty means "use the default". */
typedef struct burh_attester_str {
    const char *ptr;
    size_t len;
} burh_attester_str;

typedef enum {
    BURH_ATTESTER_PLATFORM_NONE = 0, /* no hardware evidence: the caller picks nil or kvm */
    BURH_ATTESTER_PLATFORM_SNP,      /* AMD SEV-SNP: a 1184-byte ATTESTATION_REPORT */
    BURH_ATTESTER_PLATFORM_TDX,      /* Intel TDX: a version 4 or 5 quote */
} burh_attester_platform;

typedef enum {
    BURH_ATTESTER_SOURCE_NONE = 0,
    BURH_ATTESTER_SOURCE_TSM,       /* configfs-tsm */
    BURH_ATTESTER_SOURCE_SEV_GUEST, /* /dev/sev-guest ioctls */
    BURH_ATTESTER_SOURCE_TDX_GUEST, /* /dev/tdx_guest seen; evidence still needs configfs-tsm */
} burh_attester_source;

/* "none", "snp", "tdx" (the names burh_attest_platform_from_name accepts); NULL if invalid. */
const char *burh_attester_platform_name(burh_attester_platform platform);
/* "none", "configfs-tsm", "sev-guest", "tdx-guest"; NULL if invalid. */
const char *burh_attester_source_name(burh_attester_source source);

#define BURH_ATTESTER_REPORT_DATA_SIZE 64u
#define BURH_ATTESTER_SNP_REPORT_SIZE  1184u
#define BURH_ATTESTER_MAX_OUTBLOB      (64u * 1024u)   /* cap on a report or quote */
#define BURH_ATTESTER_MAX_AUXBLOB      (1024u * 1024u) /* cap on the certificate table */
#define BURH_ATTESTER_MAX_CERTS        8u              /* entries in one certificate table */
#define BURH_ATTESTER_MAX_ATTEMPTS     8u              /* cap on configfs-tsm race retries */
#define BURH_ATTESTER_DEFAULT_TSM_ROOT "/sys/kernel/config/tsm/report"
#define BURH_ATTESTER_DEFAULT_SEV_DEV  "/dev/sev-guest"
#define BURH_ATTESTER_DEFAULT_TDX_DEV  "/dev/tdx_guest"

/*
 * A stand-in for what the kernel does by itself in a real configfs tree, for tests with a
 * fake tree of FIFOs: entry_made runs right after the entry directory is made (the kernel
 * creates its attribute files then) and entry_removing right before it is removed (the kernel
 * drops them). Both NULL in production. entry_made returning non-zero fails the call as IO.
 */
typedef struct burh_attester_tsm_hooks {
    void *ctx;
    int (*entry_made)(void *ctx, const char *entry_path);
    void (*entry_removing)(void *ctx, const char *entry_path);
} burh_attester_tsm_hooks;

typedef struct burh_attester_config {
    burh_attester_str tsm_root;               /* empty: BURH_ATTESTER_DEFAULT_TSM_ROOT */
    burh_attester_str sev_guest_dev;          /* empty: BURH_ATTESTER_DEFAULT_SEV_DEV */
    burh_attester_str tdx_guest_dev;          /* empty: BURH_ATTESTER_DEFAULT_TDX_DEV */
    bool set_privlevel;                       /* SNP: ask for a report at VMPL `privlevel` */
    uint32_t privlevel;                       /* 0..3; ignored unless set_privlevel */
    bool no_tsm;                              /* skip configfs-tsm (use the device ioctls only) */
    bool no_sev_guest;                        /* skip the /dev/sev-guest fallback */
    unsigned max_attempts;                    /* configfs-tsm races; 0: 3; capped at MAX_ATTEMPTS */
    const burh_attester_tsm_hooks *tsm_hooks; /* tests only; NULL otherwise */
} burh_attester_config;

/* Which kind of host endorsement certificate an entry of the table is (by its GUID). */
typedef enum {
    BURH_ATTESTER_CERT_OTHER = 0, /* a GUID burh does not know; kept, not interpreted */
    BURH_ATTESTER_CERT_VCEK,      /* 63da758d-e664-4564-adc5-f4b93be8accd */
    BURH_ATTESTER_CERT_VLEK,      /* a8074bc2-a25a-483e-aae6-39c045a0b8a1 */
    BURH_ATTESTER_CERT_ASK,       /* 4ab7b379-bbac-4fe4-a02f-05aef327c782 */
    BURH_ATTESTER_CERT_ARK,       /* c0b406a4-a803-4952-9743-3fb6014cd0ae */
    BURH_ATTESTER_CERT_CRL,       /* 92f81bc3-5811-4d3d-97ff-d19f88dc67ea */
} burh_attester_cert_kind;

/* "vcek", "vlek", "ask", "ark", "crl", "other"; NULL if invalid. */
const char *burh_attester_cert_kind_name(burh_attester_cert_kind kind);

typedef struct burh_evidence_cert {
    burh_attester_cert_kind kind;
    uint8_t guid[16];   /* as stored in the table (RFC 4122 byte order) */
    const uint8_t *ptr; /* the DER object, INSIDE burh_evidence.auxblob */
    size_t len;
} burh_evidence_cert;

typedef struct burh_evidence {
    burh_attester_platform platform;
    burh_attester_source source;
    char provider[32]; /* configfs-tsm provider ("sev_guest", "tdx_guest"); "" otherwise */
    uint8_t *report;   /* owned: the SNP report or TDX quote */
    size_t report_len;
    uint8_t *auxblob; /* owned: the raw certificate table, NULL when the host gave none */
    size_t auxblob_len;
    size_t cert_count; /* entries of certs[] in use */
    burh_evidence_cert certs[BURH_ATTESTER_MAX_CERTS];
} burh_evidence;

/* Frees what *ev owns and zeroes it. Safe on a zeroed struct and after a failed call. */
void burh_evidence_free(burh_evidence *ev);

/* The first certificate of `kind`, or NULL. Borrowed: valid until burh_evidence_free. */
const burh_evidence_cert *burh_evidence_find_cert(const burh_evidence *ev,
                                                  burh_attester_cert_kind kind);

/* Evidence binding report_data, from the first source that exists (configfs-tsm, then
 * /dev/sev-guest). cfg may be NULL (all defaults). *out is overwritten (not freed first); on
 * success it holds evidence the caller frees with burh_evidence_free, on failure it is zeroed. */
burh_attester_status burh_attester_get_evidence(const burh_attester_config *cfg,
                                                const uint8_t report_data[64], burh_evidence *out,
                                                burh_attester_error *err);

typedef struct burh_attester_detection {
    burh_attester_platform platform; /* NONE: no hardware evidence here */
    burh_attester_source source;     /* where get_evidence would get it */
    char provider[32];               /* configfs-tsm provider name, "" if none */
    bool tsm_present;                /* the configfs-tsm root directory exists */
    bool sev_guest_present;          /* the device nodes exist */
    bool tdx_guest_present;
} burh_attester_detection;

/* Finds which evidence this machine can give, without asking for a report: probes configfs-tsm
 * by making and removing an entry to read its provider, then looks for the device nodes.
 * PLATFORM_NONE with BURH_ATTESTER_OK means "no hardware here"; the caller then decides between
 * the nil and kvm backends. */
burh_attester_status burh_attester_detect(const burh_attester_config *cfg,
                                          burh_attester_detection *out, burh_attester_error *err);

#endif
