/* fuzz_proto.c: every keep protocol decoder on the same input; what decodes must re-encode. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "burh/keep_proto.h"
#include "host/keepmgr.h"

/* A decoded message encodes again to exactly the input: strict decoding admits one form. */
static void same(const uint8_t *in, size_t len, const uint8_t *out, size_t olen)
{
    if (olen != len || memcmp(in, out, len) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[1 << 20];
    static burh_keep_info keeps[64];
    burh_cbor_bytes in = BURH_CBOR_BYTES(data, size);
    size_t olen, used, count;
    burh_proto_diag d;
    burh_proto_error e;
    burh_platform_info p;
    burh_keep_create c;
    burh_keep_info k;
    burh_workload w;
    burh_workload_frame f;
    burh_keep_status s;
    if (burh_proto_decode_error(in, &e, &d) == BURH_PROTO_OK &&
        burh_proto_encode_error(&e, out, sizeof(out), &olen) == BURH_PROTO_OK)
        same(data, size, out, olen);
    if (burh_proto_decode_platform(in, &p, &d) == BURH_PROTO_OK &&
        burh_proto_encode_platform(&p, out, sizeof(out), &olen) == BURH_PROTO_OK)
        same(data, size, out, olen);
    if (burh_proto_decode_keep_create(in, &c, &d) == BURH_PROTO_OK) {
        if (burh_proto_encode_keep_create(&c, out, sizeof(out), &olen) != BURH_PROTO_OK)
            abort();
        same(data, size, out, olen);
    }
    if (burh_proto_decode_keep(in, &k, &d) == BURH_PROTO_OK) {
        if (burh_proto_encode_keep(&k, out, sizeof(out), &olen) != BURH_PROTO_OK)
            abort();
        same(data, size, out, olen);
    }
    if (burh_proto_decode_keep_list(in, keeps, 64, &count, &d) == BURH_PROTO_OK &&
        burh_proto_encode_keep_list(keeps, count, out, sizeof(out), &olen) == BURH_PROTO_OK)
        same(data, size, out, olen);
    if (burh_proto_decode_workload(in, &w, &d) == BURH_PROTO_OK) {
        if (burh_proto_encode_workload(&w, out, sizeof(out), &olen) != BURH_PROTO_OK)
            abort();
        same(data, size, out, olen);
        burh_workload_free(&w);
    }
    /* keepmgr's own state records (read back from disk at start-up) */
    static struct kmgr_keep rec;
    if (kmgr_record_decode(data, size, &rec) == BURH_PROTO_OK &&
        kmgr_record_encode(&rec, out, sizeof(out), &olen) == BURH_PROTO_OK)
        same(data, size, out, olen);
    /* Streams: consume item after item, as the client and keepmgr do. */
    for (size_t pos = 0; pos < size; pos += used)
        if (burh_proto_decode_frame(BURH_CBOR_BYTES(data + pos, size - pos), &f, &used, &d) !=
            BURH_PROTO_OK)
            break;
    for (size_t pos = 0; pos < size; pos += used)
        if (burh_proto_decode_status(BURH_CBOR_BYTES(data + pos, size - pos), &s, &used, &d) !=
            BURH_PROTO_OK)
            break;
    return 0;
}
