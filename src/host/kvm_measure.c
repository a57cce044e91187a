/* kvm_measure.c: the kvm keep's launch digest, one function for burh-keepldr and `burh measure`. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "host/kvm.h"

#define MEASURE_FILE_MAX (256u << 20)

static const char LAUNCH_DOMAIN[] = "burh kvm launch v1"; /* 18 bytes, no NUL */

static void put_le64(uint8_t out[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

/* SHA-384 over: the domain string, then for the shim file and the payload file each its length
 * (u64 LE) and bytes, then the initial state that is the same for every launch: ABI version,
 * memory size and boot flags (u64 LE each). Per-launch inputs (argv with the nonce, envp, the
 * listening address) are not in it; the nonce is bound by the evidence's report data instead. */
int kvm_launch_digest(const struct kvm_launch_inputs *in, uint8_t out[BURH_LAUNCH_DIGEST_SIZE])
{
    uint8_t num[8];
    unsigned len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha384(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, LAUNCH_DOMAIN, sizeof(LAUNCH_DOMAIN) - 1) == 1;
    put_le64(num, in->shim_size);
    ok = ok && EVP_DigestUpdate(ctx, num, 8) == 1 &&
         EVP_DigestUpdate(ctx, in->shim, in->shim_size) == 1;
    put_le64(num, in->payload_size);
    ok = ok && EVP_DigestUpdate(ctx, num, 8) == 1 &&
         EVP_DigestUpdate(ctx, in->payload, in->payload_size) == 1;
    const uint64_t state[3] = {BURH_HOSTCALL_ABI_VERSION, in->mem_size, in->flags};
    for (int i = 0; i < 3 && ok; i++) {
        put_le64(num, state[i]);
        ok = EVP_DigestUpdate(ctx, num, 8) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == BURH_LAUNCH_DIGEST_SIZE;
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -1;
}

int kvm_read_image(const char *path, uint8_t **data, size_t *size, char *why, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    *data = NULL;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(why, cap, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > MEASURE_FILE_MAX) {
        snprintf(why, cap, "%s: not a regular file of 1 byte to %u MiB", path,
                 MEASURE_FILE_MAX >> 20);
        close(fd);
        return -1;
    }
    *size = (size_t)st.st_size;
    *data = malloc(*size);
    size_t got = 0;
    while (*data && got < *size) {
        ssize_t n = read(fd, *data + got, *size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!*data || got != *size) {
        snprintf(why, cap, "%s: short read", path);
        free(*data);
        *data = NULL;
        return -1;
    }
    return 0;
}

int kvm_launch_digest_files(const char *shim_path, const char *payload_path, uint64_t mem_size,
                            uint64_t flags, uint8_t out[BURH_LAUNCH_DIGEST_SIZE], char *why,
                            size_t cap)
{
    struct kvm_launch_inputs in = {.mem_size = mem_size, .flags = flags};
    uint8_t *shim = NULL, *payload = NULL;
    int rc = -1;
    if (kvm_read_image(shim_path, &shim, &in.shim_size, why, cap) == 0 &&
        kvm_read_image(payload_path, &payload, &in.payload_size, why, cap) == 0) {
        in.shim = shim;
        in.payload = payload;
        rc = kvm_launch_digest(&in, out);
        if (rc != 0)
            snprintf(why, cap, "SHA-384 failed");
    }
    free(shim);
    free(payload);
    return rc;
}
