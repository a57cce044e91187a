/* kvm_relay.c: passes a kvm keep's status records (guest fd 3) on to keepmgr, checked, in order. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "burh/keep_proto.h"
#include "host/kvm.h"

/* The keep writes into `pipe_wr` (given to the guest as fd 3); a thread reads the other end
 * while the vCPU runs, since the run loop serves hostcalls synchronously. */
struct kvm_relay {
    int pipe_rd, to_mgr;
    pthread_t thread;
    uint8_t buf[2 * BURH_PROTO_STATUS_MAX];
    size_t len;
    bool broken, ready, started;
    char reason[BURH_PROTO_REASON_MAX + 1]; /* from the keep's own "exit" record */
};

static struct kvm_relay g_relay;

static void send_record(int fd, const burh_keep_status *s)
{
    uint8_t rec[BURH_PROTO_STATUS_MAX];
    size_t len;
    if (burh_proto_encode_status(s, rec, sizeof(rec), &len) != BURH_PROTO_OK)
        return;
    while (write(fd, rec, len) < 0 && errno == EINTR)
        ;
}

/* Decodes what has arrived; false when the keep broke the protocol. */
static bool relay_records(struct kvm_relay *r)
{
    for (;;) {
        burh_keep_status s;
        size_t used;
        burh_proto_diag diag;
        burh_proto_err err =
            burh_proto_decode_status(BURH_CBOR_BYTES(r->buf, r->len), &s, &used, &diag);
        if (err == BURH_PROTO_ERR_INCOMPLETE && r->len < sizeof(r->buf))
            return true;
        if (err != BURH_PROTO_OK) {
            fprintf(stderr, "burh-keepldr: bad status record from the kvm keep: %s\n",
                    diag.message);
            return false;
        }
        memmove(r->buf, r->buf + used, r->len - used);
        r->len -= used;
        if (s.event == BURH_STATUS_EXIT) {
            snprintf(r->reason, sizeof(r->reason), "%s", s.reason);
        } else if ((s.event == BURH_STATUS_READY) == r->ready) {
            fprintf(stderr, "burh-keepldr: status record out of order from the kvm keep\n");
            return false;
        } else {
            r->ready = true;
            send_record(r->to_mgr, &s);
        }
    }
}

static void *relay_main(void *arg)
{
    struct kvm_relay *r = arg;
    for (;;) {
        ssize_t n = read(r->pipe_rd, r->buf + r->len, sizeof(r->buf) - r->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        r->len += (size_t)n;
        if (!r->broken && !relay_records(r))
            r->broken = true; /* keep draining so the guest's writes never block */
    }
    return NULL;
}

int kvm_relay_start(int to_mgr, int *guest_end)
{
    int p[2];
    memset(&g_relay, 0, sizeof(g_relay));
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    g_relay.pipe_rd = p[0];
    g_relay.to_mgr = to_mgr;
    /* Signals must reach the vCPU thread (they knock it out of KVM_RUN), never this one. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int err = pthread_create(&g_relay.thread, NULL, relay_main, &g_relay);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    g_relay.started = true;
    *guest_end = p[1];
    return 0;
}

int kvm_relay_finish(int guest_end, int status, const char *report)
{
    burh_keep_status exit_rec = {.event = BURH_STATUS_EXIT, .status = status};
    close(guest_end);
    if (g_relay.started) {
        pthread_join(g_relay.thread, NULL);
        close(g_relay.pipe_rd);
    }
    if (g_relay.broken) {
        exit_rec.status = KVM_STATUS_PROTOCOL;
        snprintf(exit_rec.reason, sizeof(exit_rec.reason),
                 "the kvm keep broke the status "
                 "protocol");
    } else {
        snprintf(exit_rec.reason, sizeof(exit_rec.reason), "%s",
                 g_relay.reason[0] ? g_relay.reason : report);
    }
    send_record(g_relay.to_mgr, &exit_rec);
    return (int)exit_rec.status;
}
