/* Private helpers of src/proto: a strict reader that checks each field against its limits. */
#ifndef BURH_PROTO_INTERNAL_H
#define BURH_PROTO_INTERNAL_H

#include "burh/keep_proto.h"

/* A decoder with a sticky protocol error; every rd_* call is a no-op once it is set. */
typedef struct proto_reader {
    burh_cbor_decoder d;
    burh_proto_err err;
    burh_proto_diag *diag;
} proto_reader;

void rd_init(proto_reader *r, burh_cbor_bytes in, burh_proto_diag *diag);
/* Records the first failure; `field` and `why` go into the diag. Returns false. */
bool rd_fail(proto_reader *r, burh_proto_err err, const char *field, const char *why);
/* The error at the end: the sticky one, else the codec's (trailing bytes...). */
burh_proto_err rd_finish(proto_reader *r);

uint64_t rd_uint(proto_reader *r, const char *field, uint64_t min, uint64_t max);
int64_t rd_int(proto_reader *r, const char *field);
bool rd_bool(proto_reader *r, const char *field);
burh_cbor_bytes rd_text(proto_reader *r, const char *field, size_t min, size_t max);
burh_cbor_bytes rd_bytes(proto_reader *r, const char *field, size_t min, size_t max);
/* Text copied into out[0..cap) with a NUL; `cap` - 1 is the length limit. */
void rd_text_copy(proto_reader *r, const char *field, char *out, size_t cap, size_t min);
/* A container head with 0..max entries; returns the count (0 after an error). */
uint64_t rd_array(proto_reader *r, const char *field, uint64_t max);
uint64_t rd_map(proto_reader *r, const char *field, uint64_t max);

/* The next map key, looked up in names[0..n): returns its index, or -1 (error set) for a
 * key that is not text, unknown, or already seen (bit i of *seen). */
int rd_key(proto_reader *r, const char *const *names, int n, uint32_t *seen);
/* Checks that every key in `required` (bit mask) was seen. */
void rd_require(proto_reader *r, uint32_t seen, uint32_t required, const char *const *names, int n);
/* The "v" value (key already read): must be 1. */
void rd_version(proto_reader *r);

/* The keys of an error map after its head ("v" required when `versioned`). */
void rd_error_body(proto_reader *r, uint64_t n, bool versioned, burh_proto_error *out);

/* Starts reading the first item of a CBOR sequence (a stream record): INCOMPLETE when it is cut
 * short, else the reader is set on exactly its bytes and *item_len is their count. */
burh_proto_err rd_stream_begin(proto_reader *r, burh_cbor_bytes in, size_t *item_len,
                               burh_proto_diag *diag);
/* Finishes a stream record: *used keeps the item's length on success and is 0 on error. */
burh_proto_err rd_stream_end(proto_reader *r, size_t *used);

/* Encoder tail: maps the codec's result to a protocol error and the length. */
burh_proto_err enc_finish(burh_cbor_encoder *e, size_t *len);
void enc_key(burh_cbor_encoder *e, const char *key);
void enc_ctext(burh_cbor_encoder *e, const char *key, const char *value);
void enc_version(burh_cbor_encoder *e);

#endif
