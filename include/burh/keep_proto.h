/* burh keep protocol (docs/protocol.md): CBOR messages between burh, keepmgr, keepldr, wasmldr. */
#ifndef BURH_KEEP_PROTO_H
#define BURH_KEEP_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "burh/cbor.h"

/*
 * One implementation of every message in docs/protocol.md, used on both ends of each wire.
 *
 * Encoding: burh_proto_encode_X(msg, buf, cap, &len) writes deterministic CBOR into the
 * caller's buffer; buf NULL measures (BURH_PROTO_OK, len = the size needed), a buffer too
 * small gives BURH_PROTO_ERR_BUFFER with len = the size needed.
 * Decoding: burh_proto_decode_X(input, &msg, diag) checks the message completely (strict CBOR,
 * version 1, required keys, no unknown keys, every limit) before it returns BURH_PROTO_OK; on
 * failure diag (may be NULL) says which field and why.
 *
 * Ownership: decoded {ptr,len} ranges (burh_cbor_bytes) point INTO the input, which the
 * caller keeps alive as long as it uses them. Small text fields (ids, reasons, codes) are
 * copied into fixed NUL-terminated arrays inside the structs so those can be stored. Only
 * burh_proto_decode_workload allocates: it owns the arrays it fills until
 * burh_workload_free.
 */

#define BURH_PROTO_VERSION 1

/* Limits of the protocol (docs/protocol.md); decoders refuse anything past them. */
#define BURH_PROTO_NONCE_MIN      16u
#define BURH_PROTO_NONCE_MAX      64u
#define BURH_PROTO_MEMORY_MIN     16u
#define BURH_PROTO_MEMORY_MAX     65536u
#define BURH_PROTO_TIME_LIMIT_MAX 86400u /* keep-create's time_limit_s: one day */
#define BURH_PROTO_ID_LEN         32u    /* hex characters */
#define BURH_PROTO_ENDPOINT_MAX   300u
#define BURH_PROTO_REASON_MAX     256u
#define BURH_PROTO_CODE_MAX       64u
#define BURH_PROTO_MESSAGE_MAX    1024u
#define BURH_PROTO_BACKENDS_MAX   8u
#define BURH_PROTO_WASM_MIN       8u
#define BURH_PROTO_WASM_MAX       (64u << 20)
#define BURH_PROTO_ARGS_MAX       1024u
#define BURH_PROTO_ENV_MAX        1024u
#define BURH_PROTO_STRING_MAX     4096u /* one argument, env name or env value */
#define BURH_PROTO_FILES_MAX      256u
#define BURH_PROTO_PATH_MAX       1024u
#define BURH_PROTO_FILES_DATA_MAX (64u << 20) /* all files together */
#define BURH_PROTO_SECRETS_MAX    64u
#define BURH_PROTO_SECRET_NAME    128u
#define BURH_PROTO_SECRET_MAX     65536u
#define BURH_PROTO_OUTPUT_MAX     65536u /* one stdout/stderr frame */
#define BURH_PROTO_TRAP_MAX       256u
#define BURH_PROTO_STATUS_MAX     512u /* one status record on the pipe */
#define BURH_PROTO_KEEPMGR_BODY   4096u
#define BURH_PROTO_WORKLOAD_BODY  (80u << 20)

typedef enum {
    BURH_PROTO_OK = 0,
    BURH_PROTO_ERR_CBOR,        /* not strict, well-formed CBOR (diag has the codec error) */
    BURH_PROTO_ERR_VERSION,     /* "v" missing or not 1 */
    BURH_PROTO_ERR_MISSING,     /* a required key is absent */
    BURH_PROTO_ERR_UNKNOWN_KEY, /* a key this message does not have */
    BURH_PROTO_ERR_TYPE,        /* a value of the wrong CBOR type */
    BURH_PROTO_ERR_RANGE,       /* a size, count or value outside its limits */
    BURH_PROTO_ERR_INCOMPLETE,  /* sequence readers: the input ends inside the next item */
    BURH_PROTO_ERR_BUFFER,      /* encoder: the output does not fit (the size is reported) */
    BURH_PROTO_ERR_NOMEM,       /* out of memory (workload decoding only) */
    BURH_PROTO_ERR_ARGS,        /* the caller passed a message that breaks the rules */
} burh_proto_err;

const char *burh_proto_errstr(burh_proto_err err);

/* Why a decoder refused a message: "field: problem", NUL-terminated. */
typedef struct burh_proto_diag {
    char message[160];
} burh_proto_diag;

typedef enum {
    BURH_BACKEND_NIL = 0,
    BURH_BACKEND_KVM,
    BURH_BACKEND_SNP,
    BURH_BACKEND_TDX,
    BURH_BACKEND_COUNT
} burh_keep_backend;

typedef enum {
    BURH_KEEP_STARTING = 0,
    BURH_KEEP_READY,
    BURH_KEEP_RUNNING,
    BURH_KEEP_EXITED,
    BURH_KEEP_FAILED,
    BURH_KEEP_STATE_COUNT
} burh_keep_state;

/* Names on the wire; NULL when out of range. The lookups return false for unknown names. */
const char *burh_keep_backend_name(burh_keep_backend b);
bool burh_keep_backend_from_name(burh_cbor_bytes name, burh_keep_backend *out);
const char *burh_keep_state_name(burh_keep_state s);
bool burh_keep_state_from_name(burh_cbor_bytes name, burh_keep_state *out);
/* Whether the text is a keep id: exactly 32 lower-case hex digits. */
bool burh_keep_id_valid(burh_cbor_bytes id);

/* ---- error ---------------------------------------------------------------------------- */
typedef struct burh_proto_error {
    char code[BURH_PROTO_CODE_MAX + 1];
    char message[BURH_PROTO_MESSAGE_MAX + 1];
} burh_proto_error;

/* ---- keepmgr API ---------------------------------------------------------------------- */
typedef struct burh_platform_backend {
    burh_keep_backend backend;
    bool available;
    char reason[BURH_PROTO_REASON_MAX + 1];
} burh_platform_backend;

typedef struct burh_platform_info {
    size_t count; /* 1..BURH_PROTO_BACKENDS_MAX */
    burh_platform_backend backends[BURH_PROTO_BACKENDS_MAX];
} burh_platform_info;

typedef struct burh_keep_create {
    burh_keep_backend backend;
    burh_cbor_bytes nonce; /* 16..64 bytes */
    uint32_t memory_mib;   /* 16..65536 */
    uint32_t time_limit_s; /* wall-clock limit of the workload, 1..86400; 0 = absent (none) */
} burh_keep_create;

typedef struct burh_keep_info {
    char id[BURH_PROTO_ID_LEN + 1];
    burh_keep_backend backend;
    burh_keep_state state;
    uint32_t memory_mib;
    uint64_t created;                           /* Unix seconds */
    char endpoint[BURH_PROTO_ENDPOINT_MAX + 1]; /* "" = absent */
    bool has_exit_status;
    int64_t exit_status;
    bool has_reason;
    char reason[BURH_PROTO_REASON_MAX + 1];
} burh_keep_info;

/* ---- wasmldr API ---------------------------------------------------------------------- */
typedef struct burh_workload_env {
    burh_cbor_bytes name, value;
} burh_workload_env;
typedef struct burh_workload_file {
    burh_cbor_bytes path, data;
} burh_workload_file;
typedef struct burh_workload_secret {
    burh_cbor_bytes name, data;
} burh_workload_secret;

typedef struct burh_workload {
    burh_cbor_bytes wasm;
    size_t argc, envc, filec, secretc;
    burh_cbor_bytes *args;
    burh_workload_env *env;
    burh_workload_file *files;
    burh_workload_secret *secrets;
    void *alloc_; /* private: the one allocation behind the arrays */
} burh_workload;

typedef enum {
    BURH_FRAME_STDOUT = 0,
    BURH_FRAME_STDERR,
    BURH_FRAME_EXIT,
    BURH_FRAME_TRAP,
    BURH_FRAME_ERROR,
} burh_frame_kind;

typedef struct burh_workload_frame {
    burh_frame_kind kind;
    burh_cbor_bytes data;    /* STDOUT/STDERR bytes, TRAP text, ERROR code */
    burh_cbor_bytes message; /* ERROR only */
    int64_t exit;            /* EXIT only */
} burh_workload_frame;

/* ---- status records (wasmldr -> keepldr -> keepmgr) ----------------------------------- */
typedef enum {
    BURH_STATUS_READY = 0,
    BURH_STATUS_RUNNING,
    BURH_STATUS_EXIT,
} burh_status_event;

typedef struct burh_keep_status {
    burh_status_event event;
    uint16_t port;  /* READY */
    int64_t status; /* EXIT */
    char reason[BURH_PROTO_REASON_MAX + 1];
} burh_keep_status;

/* ---- encoders ------------------------------------------------------------------------- */
burh_proto_err burh_proto_encode_error(const burh_proto_error *m, uint8_t *buf, size_t cap,
                                       size_t *len);
burh_proto_err burh_proto_encode_platform(const burh_platform_info *m, uint8_t *buf, size_t cap,
                                          size_t *len);
burh_proto_err burh_proto_encode_keep_create(const burh_keep_create *m, uint8_t *buf, size_t cap,
                                             size_t *len);
burh_proto_err burh_proto_encode_keep(const burh_keep_info *m, uint8_t *buf, size_t cap,
                                      size_t *len);
burh_proto_err burh_proto_encode_keep_list(const burh_keep_info *keeps, size_t count, uint8_t *buf,
                                           size_t cap, size_t *len);
burh_proto_err burh_proto_encode_workload(const burh_workload *m, uint8_t *buf, size_t cap,
                                          size_t *len);
burh_proto_err burh_proto_encode_frame(const burh_workload_frame *m, uint8_t *buf, size_t cap,
                                       size_t *len);
burh_proto_err burh_proto_encode_status(const burh_keep_status *m, uint8_t *buf, size_t cap,
                                        size_t *len);

/* ---- decoders: one complete message in `in` (trailing bytes refused) ------------------- */
burh_proto_err burh_proto_decode_error(burh_cbor_bytes in, burh_proto_error *out,
                                       burh_proto_diag *diag);
burh_proto_err burh_proto_decode_platform(burh_cbor_bytes in, burh_platform_info *out,
                                          burh_proto_diag *diag);
burh_proto_err burh_proto_decode_keep_create(burh_cbor_bytes in, burh_keep_create *out,
                                             burh_proto_diag *diag);
burh_proto_err burh_proto_decode_keep(burh_cbor_bytes in, burh_keep_info *out,
                                      burh_proto_diag *diag);
/* Fills out[0..*count); more than `cap` keeps is BURH_PROTO_ERR_RANGE. */
burh_proto_err burh_proto_decode_keep_list(burh_cbor_bytes in, burh_keep_info *out, size_t cap,
                                           size_t *count, burh_proto_diag *diag);
/* On BURH_PROTO_OK the caller owns *out's arrays: release with burh_workload_free. */
burh_proto_err burh_proto_decode_workload(burh_cbor_bytes in, burh_workload *out,
                                          burh_proto_diag *diag);
void burh_workload_free(burh_workload *w);

/* Sequence readers: decode the FIRST item of `in` and set *used to its size, so a stream
 * can be consumed item by item. BURH_PROTO_ERR_INCOMPLETE: wait for more bytes. */
burh_proto_err burh_proto_decode_frame(burh_cbor_bytes in, burh_workload_frame *out, size_t *used,
                                       burh_proto_diag *diag);
burh_proto_err burh_proto_decode_status(burh_cbor_bytes in, burh_keep_status *out, size_t *used,
                                        burh_proto_diag *diag);

#endif
