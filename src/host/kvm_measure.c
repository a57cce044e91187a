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

/* Opens a regular file of 1 byte to MEASURE_FILE_MAX; the fd, or -1 and why. */
static int open_image(const char *path, size_t *size, char *why, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
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
    return fd;
}

/* Reads exactly size bytes and closes fd; 0, or -1 and why. */
static int read_whole(int fd, const char *path, uint8_t *dst, size_t size, char *why, size_t cap)
{
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, dst + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (got != size) {
        snprintf(why, cap, "%s: short read", path);
        return -1;
    }
    return 0;
}

int kvm_read_image(const char *path, uint8_t **data, size_t *size, char *why, size_t cap)
{
    *data = NULL;
    int fd = open_image(path, size, why, cap);
    if (fd < 0)
        return -1;
    *data = malloc(*size);
    if (!*data) {
        close(fd);
        snprintf(why, cap, "%s: out of memory", path);
        return -1;
    }
    if (read_whole(fd, path, *data, *size, why, cap) != 0) {
        free(*data);
        *data = NULL;
        return -1;
    }
    return 0;
}

int kvm_read_image_into(const char *path, uint8_t *dst, size_t room, size_t *size, char *why,
                        size_t cap)
{
    int fd = open_image(path, size, why, cap);
    if (fd < 0)
        return -1;
    if (*size > room) {
        close(fd);
        snprintf(why, cap, "%s: %zu bytes do not fit the %zu bytes of room", path, *size, room);
        return -1;
    }
    return read_whole(fd, path, dst, *size, why, cap);
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
