/* fuzz_workload.c: a keep's input paths: workload bodies into jobs, and deploy's frame reader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keep/deploy.h"
#include "keep/wasmldr.h"

/*
 * The first byte picks the target:
 *   even: the rest is a POST /v1/workload body. It is decoded as wasmldr does and, when valid,
 *         made into a job (module load, WASI world, in-memory files and secrets), never run:
 *         a fuzzed guest may loop forever.
 *   odd:  the rest is a response stream for `burh deploy`, fed in chunks whose sizes come
 *         from the first byte, as a slow or hostile keep might send it.
 */
static void fuzz_body(const uint8_t *data, size_t size)
{
    uint8_t *body = malloc(size == 0 ? 1 : size);
    if (body == NULL)
        return;
    memcpy(body, data, size);
    burh_workload w;
    if (burh_proto_decode_workload((burh_cbor_bytes){body, size}, &w, NULL) != BURH_PROTO_OK) {
        free(body);
        return;
    }
    static const wasmldr_limits limits = {16, 0, 1u << 20, 1};
    wasmldr_outcome fail;
    wasmldr_job_free(wasmldr_job_new(&w, body, size, &limits, &fail));
}

static void fuzz_frames(const uint8_t *data, size_t size, size_t chunk)
{
    deploy_frames fr;
    deploy_frames_init(&fr, -1, -1); /* output frames fail to write: the reader must say so */
    for (size_t off = 0; off < size; off += chunk)
        if (!deploy_frames_feed(&fr, data + off, size - off < chunk ? size - off : chunk))
            break;
    deploy_frames_free(&fr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if ((data[0] & 1) == 0)
        fuzz_body(data + 1, size - 1);
    else
        fuzz_frames(data + 1, size - 1, (size_t)(data[0] >> 1) + 1);
    return 0;
}
