/* deploy.h: the client half of `burh deploy`: keepmgr calls and the keep's frame stream. */
#ifndef BURH_KEEP_DEPLOY_H
#define BURH_KEEP_DEPLOY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "burh/keep_proto.h"

/*
 * Ownership: a deploy_buf owns its bytes (deploy_buf_free). Everything else is borrowed for
 * the call. Failures come back as false with a message for humans in `msg`.
 */
typedef struct deploy_buf {
    uint8_t *ptr;
    size_t len, cap, limit; /* limit: appending past it fails */
} deploy_buf;

bool deploy_buf_append(deploy_buf *b, const void *data, size_t len);
void deploy_buf_free(deploy_buf *b);

/* A keepmgr: base URL ("http://HOST:PORT" or "https://...") and an optional bearer token. */
typedef struct deploy_keepmgr {
    char base_url[320];
    const char *token; /* NULL: none */
} deploy_keepmgr;

/* One HTTP exchange with keepmgr. *status is the HTTP status (0 when none came); for a
 * non-2xx answer with a CBOR error body, msg gets its code and message. */
bool deploy_keepmgr_call(const deploy_keepmgr *m, const char *method, const char *path,
                         const uint8_t *body, size_t body_len, long *status, deploy_buf *resp,
                         char *msg, size_t cap);

bool deploy_platform(const deploy_keepmgr *m, burh_platform_info *out, char *msg, size_t cap);
bool deploy_keep_create(const deploy_keepmgr *m, const burh_keep_create *req, burh_keep_info *out,
                        char *msg, size_t cap);
bool deploy_keep_get(const deploy_keepmgr *m, const char *id, burh_keep_info *out, char *msg,
                     size_t cap);
/* GET held by keepmgr while the keep is in `while_state`, for at most wait_s (1..30) seconds:
 * returns as soon as the state changes, with the keep as it is then. */
bool deploy_keep_wait(const deploy_keepmgr *m, const char *id, burh_keep_state while_state,
                      unsigned wait_s, burh_keep_info *out, char *msg, size_t cap);
bool deploy_keep_delete(const deploy_keepmgr *m, const char *id);

/* Reassembles the keep's CBOR sequence of frames from arbitrary chunks. */
typedef struct deploy_frames {
    deploy_buf pending;
    int out_fd, err_fd; /* where stdout/stderr frames go */
    bool ended;         /* a final frame came */
    bool broken;        /* malformed stream, a frame after the final one, or a write failed */
    burh_workload_frame final;
    char final_text[BURH_PROTO_MESSAGE_MAX + 1]; /* trap reason or error message */
    char final_code[BURH_PROTO_CODE_MAX + 1];    /* error code */
    char why[200];                               /* what broke the stream */
} deploy_frames;

void deploy_frames_init(deploy_frames *f, int out_fd, int err_fd);
/* Feeds bytes; false once the stream is broken. */
bool deploy_frames_feed(deploy_frames *f, const uint8_t *data, size_t len);
void deploy_frames_free(deploy_frames *f);

#endif
