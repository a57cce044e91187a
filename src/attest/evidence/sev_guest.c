/* Evidence from /dev/sev-guest (SNP_GET_EXT_REPORT, SNP_GET_REPORT) for kernels without
 * configfs-tsm. Structures from the kernel UAPI <linux/sev-guest.h>. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/sev-guest.h>

#include "attest/evidence/evidence_internal.h"

#define PAGE_BYTES        4096u
#define FIRST_CERTS_BYTES (4u * PAGE_BYTES) /* the kernel's SEV_FW_BLOB_MAX_SIZE before 6.7 */
#define EXT_REPORT_TRIES  3u
#define GUEST_MSG_VERSION 1u

typedef struct sev_request {
    struct snp_report_req req;
    struct snp_report_resp resp;
    struct snp_guest_request_ioctl io;
} sev_request;

static void sev_request_init(sev_request *r, const burh_attester_opts *o,
                             const uint8_t report_data[64], void *req)
{
    memset(r, 0, sizeof *r);
    memcpy(r->req.user_data, report_data, sizeof r->req.user_data);
    r->req.vmpl = o->set_privlevel ? o->privlevel : 0;
    r->io.msg_version = GUEST_MSG_VERSION;
    r->io.req_data = (uint64_t)(uintptr_t)req;
    r->io.resp_data = (uint64_t)(uintptr_t)&r->resp;
}

static burh_attester_status ioctl_fail(const sev_request *r, const char *what, int sys_errno,
                                       burh_attester_error *err)
{
    if (r->io.fw_error || r->io.vmm_error)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_FIRMWARE, sys_errno,
                                  "%s refused: firmware error 0x%x, host error 0x%x", what,
                                  r->io.fw_error, r->io.vmm_error);
    return burh_attester_fail(err, BURH_ATTESTER_ERR_IO, sys_errno, "%s: %s", what,
                              strerror(sys_errno));
}

/* Page-aligned, zeroed certificate buffer for the kernel to fill. */
static uint8_t *certs_alloc(size_t len)
{
    void *p = NULL;
    if (posix_memalign(&p, PAGE_BYTES, len) != 0)
        return NULL;
    memset(p, 0, len);
    return p;
}

/* SNP_GET_EXT_REPORT, growing the certificate buffer as the host asks (up to the auxblob cap).
 * *unsupported is set when the kernel does not know the ioctl, so a plain report can be tried. */
static burh_attester_status ext_report(int fd, sev_request *r, const burh_attester_opts *o,
                                       const uint8_t report_data[64], burh_evidence *out,
                                       bool *unsupported, burh_attester_error *err)
{
    struct snp_ext_report_req ext;
    size_t len = FIRST_CERTS_BYTES;
    for (unsigned i = 0; i < EXT_REPORT_TRIES; i++) {
        free(out->auxblob);
        out->auxblob = certs_alloc(len);
        out->auxblob_len = len;
        if (!out->auxblob)
            return burh_attester_fail(err, BURH_ATTESTER_ERR_NOMEM, 0, "out of memory");
        sev_request_init(r, o, report_data, &ext);
        memset(&ext, 0, sizeof ext);
        ext.data = r->req;
        ext.certs_address = (uint64_t)(uintptr_t)out->auxblob;
        ext.certs_len = (uint32_t)len;
        if (ioctl(fd, SNP_GET_EXT_REPORT, &r->io) == 0)
            return BURH_ATTESTER_OK;
        int saved = errno;
        if (saved == EIO && r->io.vmm_error == SNP_GUEST_VMM_ERR_INVALID_LEN) {
            if (ext.certs_len <= len || ext.certs_len > BURH_ATTESTER_MAX_AUXBLOB)
                return burh_attester_fail(err, BURH_ATTESTER_ERR_TOO_LARGE, 0,
                                          "host wants a %u-byte certificate buffer (limit %u)",
                                          ext.certs_len, BURH_ATTESTER_MAX_AUXBLOB);
            len = ((size_t)ext.certs_len + PAGE_BYTES - 1) / PAGE_BYTES * PAGE_BYTES;
            continue;
        }
        if ((saved == ENOTTY || saved == EINVAL || saved == EOPNOTSUPP) && !r->io.fw_error &&
            !r->io.vmm_error) {
            *unsupported = true;
            return BURH_ATTESTER_OK;
        }
        return ioctl_fail(r, "SNP_GET_EXT_REPORT", saved, err);
    }
    return burh_attester_fail(err, BURH_ATTESTER_ERR_FIRMWARE, 0,
                              "host kept changing the certificate size");
}

/* Takes the report out of the response and checks the certificates. */
static burh_attester_status finish(const sev_request *r, const burh_attester_opts *o,
                                   const uint8_t report_data[64], burh_evidence *out,
                                   burh_attester_error *err)
{
    const uint8_t *report = NULL;
    burh_attester_status st =
        burh_attester_parse_report_resp(r->resp.data, sizeof r->resp.data, &report, err);
    if (st != BURH_ATTESTER_OK)
        return st;
    st = burh_attester_check_snp_report(report, BURH_ATTESTER_SNP_REPORT_SIZE, report_data,
                                        o->set_privlevel, o->privlevel, err);
    if (st != BURH_ATTESTER_OK)
        return st;
    out->report = malloc(BURH_ATTESTER_SNP_REPORT_SIZE);
    if (!out->report)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_NOMEM, 0, "out of memory");
    memcpy(out->report, report, BURH_ATTESTER_SNP_REPORT_SIZE);
    out->report_len = BURH_ATTESTER_SNP_REPORT_SIZE;
    st = burh_attester_parse_cert_table(out, err);
    if (st == BURH_ATTESTER_OK && out->cert_count == 0) {
        free(out->auxblob); /* the host has no certificates: the buffer is all zero */
        out->auxblob = NULL;
        out->auxblob_len = 0;
    }
    return st;
}

burh_attester_status burh_attester_sev_get(const burh_attester_opts *o,
                                           const uint8_t report_data[64], burh_evidence *out,
                                           burh_attester_error *err)
{
    int fd = open(o->sev_dev, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return burh_attester_fail(
            err, errno == ENOENT ? BURH_ATTESTER_ERR_NO_DEVICE : BURH_ATTESTER_ERR_IO, errno,
            "open %s: %s", o->sev_dev, strerror(errno));
    out->platform = BURH_ATTESTER_PLATFORM_SNP;
    out->source = BURH_ATTESTER_SOURCE_SEV_GUEST;
    sev_request *r = malloc(sizeof *r);
    if (!r) {
        close(fd);
        return burh_attester_fail(err, BURH_ATTESTER_ERR_NOMEM, 0, "out of memory");
    }
    bool unsupported = false;
    burh_attester_status st = ext_report(fd, r, o, report_data, out, &unsupported, err);
    if (st == BURH_ATTESTER_OK && unsupported) {
        free(out->auxblob);
        out->auxblob = NULL;
        out->auxblob_len = 0;
        sev_request_init(r, o, report_data, &r->req);
        if (ioctl(fd, SNP_GET_REPORT, &r->io) != 0)
            st = ioctl_fail(r, "SNP_GET_REPORT", errno, err);
    }
    if (st == BURH_ATTESTER_OK)
        st = finish(r, o, report_data, out, err);
    free(r);
    close(fd);
    return st;
}
