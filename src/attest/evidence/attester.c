/* The attester's public entry points: configuration, source selection, detection, cleanup. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attest/evidence/evidence_internal.h"

#define TSM_PRIVLEVEL_MAX    3u
#define DEFAULT_MAX_ATTEMPTS 3u

burh_attester_status burh_attester_fail(burh_attester_error *err, burh_attester_status status,
                                        int sys_errno, const char *fmt, ...)
{
    if (err) {
        err->status = status;
        err->sys_errno = sys_errno;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

uint16_t burh_attester_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

uint32_t burh_attester_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

const char *burh_attester_strerror(burh_attester_status status)
{
    switch (status) {
    case BURH_ATTESTER_OK:
        return "ok";
    case BURH_ATTESTER_ERR_ARGS:
        return "invalid arguments";
    case BURH_ATTESTER_ERR_NOMEM:
        return "out of memory";
    case BURH_ATTESTER_ERR_NO_DEVICE:
        return "no attestation device (configfs-tsm or sev-guest)";
    case BURH_ATTESTER_ERR_NO_PROVIDER:
        return "configfs-tsm has no provider";
    case BURH_ATTESTER_ERR_UNSUPPORTED:
        return "unsupported attestation provider";
    case BURH_ATTESTER_ERR_IO:
        return "input/output error";
    case BURH_ATTESTER_ERR_FIRMWARE:
        return "firmware or host refused the request";
    case BURH_ATTESTER_ERR_TOO_LARGE:
        return "blob larger than its limit";
    case BURH_ATTESTER_ERR_MALFORMED:
        return "malformed report or quote";
    case BURH_ATTESTER_ERR_CERT_TABLE:
        return "malformed certificate table";
    case BURH_ATTESTER_ERR_NOT_BOUND:
        return "evidence does not carry the report data";
    case BURH_ATTESTER_ERR_RACE:
        return "another writer raced every attempt";
    }
    return "unknown error";
}

const char *burh_attester_platform_name(burh_attester_platform platform)
{
    switch (platform) {
    case BURH_ATTESTER_PLATFORM_NONE:
        return "none";
    case BURH_ATTESTER_PLATFORM_SNP:
        return "snp";
    case BURH_ATTESTER_PLATFORM_TDX:
        return "tdx";
    }
    return NULL;
}

const char *burh_attester_source_name(burh_attester_source source)
{
    switch (source) {
    case BURH_ATTESTER_SOURCE_NONE:
        return "none";
    case BURH_ATTESTER_SOURCE_TSM:
        return "configfs-tsm";
    case BURH_ATTESTER_SOURCE_SEV_GUEST:
        return "sev-guest";
    case BURH_ATTESTER_SOURCE_TDX_GUEST:
        return "tdx-guest";
    }
    return NULL;
}

const char *burh_attester_cert_kind_name(burh_attester_cert_kind kind)
{
    switch (kind) {
    case BURH_ATTESTER_CERT_OTHER:
        return "other";
    case BURH_ATTESTER_CERT_VCEK:
        return "vcek";
    case BURH_ATTESTER_CERT_VLEK:
        return "vlek";
    case BURH_ATTESTER_CERT_ASK:
        return "ask";
    case BURH_ATTESTER_CERT_ARK:
        return "ark";
    case BURH_ATTESTER_CERT_CRL:
        return "crl";
    }
    return NULL;
}

void burh_evidence_free(burh_evidence *ev)
{
    if (!ev)
        return;
    free(ev->report);
    free(ev->auxblob);
    memset(ev, 0, sizeof *ev);
}

const burh_evidence_cert *burh_evidence_find_cert(const burh_evidence *ev,
                                                  burh_attester_cert_kind kind)
{
    if (!ev)
        return NULL;
    for (size_t i = 0; i < ev->cert_count && i < BURH_ATTESTER_MAX_CERTS; i++)
        if (ev->certs[i].kind == kind)
            return &ev->certs[i];
    return NULL;
}

/* Copies a configured path (or the default) into a NUL-terminated buffer. */
static burh_attester_status resolve_path(char *dst, burh_attester_str given, const char *dflt,
                                         const char *what, burh_attester_error *err)
{
    if (given.len == 0) {
        snprintf(dst, PATH_MAX, "%s", dflt);
        return BURH_ATTESTER_OK;
    }
    if (!given.ptr || given.len >= PATH_MAX || memchr(given.ptr, '\0', given.len))
        return burh_attester_fail(err, BURH_ATTESTER_ERR_ARGS, 0,
                                  "%s path is missing, too long or contains a NUL", what);
    memcpy(dst, given.ptr, given.len);
    dst[given.len] = '\0';
    return BURH_ATTESTER_OK;
}

static burh_attester_status resolve_opts(const burh_attester_config *cfg, burh_attester_opts *o,
                                         burh_attester_error *err)
{
    static const burh_attester_config defaults;
    if (!cfg)
        cfg = &defaults;
    memset(o, 0, sizeof *o);
    burh_attester_status st;
    if ((st = resolve_path(o->tsm_root, cfg->tsm_root, BURH_ATTESTER_DEFAULT_TSM_ROOT,
                           "configfs-tsm root", err)) != BURH_ATTESTER_OK ||
        (st = resolve_path(o->sev_dev, cfg->sev_guest_dev, BURH_ATTESTER_DEFAULT_SEV_DEV,
                           "sev-guest device", err)) != BURH_ATTESTER_OK ||
        (st = resolve_path(o->tdx_dev, cfg->tdx_guest_dev, BURH_ATTESTER_DEFAULT_TDX_DEV,
                           "tdx-guest device", err)) != BURH_ATTESTER_OK)
        return st;
    if (cfg->set_privlevel && cfg->privlevel > TSM_PRIVLEVEL_MAX)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_ARGS, 0, "privilege level %u is above %u",
                                  cfg->privlevel, TSM_PRIVLEVEL_MAX);
    o->set_privlevel = cfg->set_privlevel;
    o->privlevel = cfg->privlevel;
    o->no_tsm = cfg->no_tsm;
    o->no_sev_guest = cfg->no_sev_guest;
    o->max_attempts = cfg->max_attempts == 0 ? DEFAULT_MAX_ATTEMPTS : cfg->max_attempts;
    if (o->max_attempts > BURH_ATTESTER_MAX_ATTEMPTS)
        o->max_attempts = BURH_ATTESTER_MAX_ATTEMPTS;
    o->hooks = cfg->tsm_hooks;
    return BURH_ATTESTER_OK;
}

static bool path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* What get_evidence says when there is nothing to ask. */
static burh_attester_status no_source(const burh_attester_opts *o, burh_attester_error *err)
{
    if (!o->no_tsm && path_exists(o->tdx_dev))
        return burh_attester_fail(err, BURH_ATTESTER_ERR_UNSUPPORTED, 0,
                                  "%s exists but %s does not: TDX evidence needs configfs-tsm "
                                  "(Linux 6.7+, CONFIG_TSM_REPORTS, configfs mounted)",
                                  o->tdx_dev, o->tsm_root);
    return burh_attester_fail(err, BURH_ATTESTER_ERR_NO_DEVICE, ENOENT,
                              "no attestation source: %s%s%s%s", o->no_tsm ? "" : o->tsm_root,
                              o->no_tsm ? "" : " and ", o->no_sev_guest ? "" : o->sev_dev,
                              " missing (not a confidential VM, or the guest drivers are not "
                              "loaded)");
}

burh_attester_status burh_attester_get_evidence(const burh_attester_config *cfg,
                                                const uint8_t report_data[64], burh_evidence *out,
                                                burh_attester_error *err)
{
    if (!out)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_ARGS, 0, "no output evidence");
    memset(out, 0, sizeof *out);
    if (!report_data)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_ARGS, 0, "no report data");
    burh_attester_opts o;
    burh_attester_status st = resolve_opts(cfg, &o, err);
    if (st != BURH_ATTESTER_OK)
        return st;
    st = BURH_ATTESTER_ERR_NO_DEVICE;
    if (!o.no_tsm) {
        st = burh_attester_tsm_get(&o, report_data, out, err);
        /* Only a missing tree or provider lets the device ioctls try; any other failure of a
         * working configfs-tsm is the answer. */
        if (st != BURH_ATTESTER_ERR_NO_DEVICE && st != BURH_ATTESTER_ERR_NO_PROVIDER)
            goto done;
    }
    if (!o.no_sev_guest && path_exists(o.sev_dev)) {
        st = burh_attester_sev_get(&o, report_data, out, err);
        goto done;
    }
    if (st != BURH_ATTESTER_ERR_NO_PROVIDER)
        st = no_source(&o, err);
done:
    if (st != BURH_ATTESTER_OK)
        burh_evidence_free(out);
    else if (err) /* a retried race may have left its message behind */
        *err = (burh_attester_error){.status = BURH_ATTESTER_OK};
    return st;
}

burh_attester_status burh_attester_detect(const burh_attester_config *cfg,
                                          burh_attester_detection *out, burh_attester_error *err)
{
    if (!out)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_ARGS, 0, "no output detection");
    memset(out, 0, sizeof *out);
    burh_attester_opts o;
    burh_attester_status st = resolve_opts(cfg, &o, err);
    if (st != BURH_ATTESTER_OK)
        return st;
    out->tsm_present = !o.no_tsm && path_exists(o.tsm_root);
    out->sev_guest_present = !o.no_sev_guest && path_exists(o.sev_dev);
    out->tdx_guest_present = path_exists(o.tdx_dev);
    if (out->tsm_present) {
        st = burh_attester_tsm_probe(&o, out->provider, sizeof out->provider, err);
        if (st == BURH_ATTESTER_OK) {
            out->platform = burh_attester_platform_of_provider(out->provider);
            if (out->platform != BURH_ATTESTER_PLATFORM_NONE) {
                out->source = BURH_ATTESTER_SOURCE_TSM;
                return BURH_ATTESTER_OK;
            }
        } else if (st != BURH_ATTESTER_ERR_NO_PROVIDER && st != BURH_ATTESTER_ERR_NO_DEVICE) {
            return st;
        }
    }
    if (out->sev_guest_present) {
        out->platform = BURH_ATTESTER_PLATFORM_SNP;
        out->source = BURH_ATTESTER_SOURCE_SEV_GUEST;
    } else if (out->tdx_guest_present) {
        out->platform = BURH_ATTESTER_PLATFORM_TDX;
        out->source = BURH_ATTESTER_SOURCE_TDX_GUEST;
    }
    return BURH_ATTESTER_OK;
}
