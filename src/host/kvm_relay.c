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
#include "host/status_relay.h"

/* The keep writes into `pipe_wr` (given to the guest as fd 3); a thread reads the other end
 * while the vCPU runs, since the run loop serves hostcalls synchronously. */
struct kvm_relay {
    int pipe_rd;
    pthread_t thread;
    bool started;
    struct status_relay s;
};

static struct kvm_relay g_relay;

static void log_line(const char *what, const char *detail)
{
    fprintf(stderr, "burh-keepldr: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
}

static void *relay_main(void *arg)
{
    struct kvm_relay *k = arg;
    struct status_relay *r = &k->s;
    for (;;) {
        ssize_t n = read(k->pipe_rd, r->buf + r->len, sizeof(r->buf) - r->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        r->len += (size_t)n;
        if (!r->broken && !status_relay_decode(r))
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
    status_relay_init(&g_relay.s, to_mgr, "the kvm keep", log_line);
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
    if (g_relay.s.broken) {
        exit_rec.status = KVM_STATUS_PROTOCOL;
        snprintf(exit_rec.reason, sizeof(exit_rec.reason),
                 "the kvm keep broke the status "
                 "protocol");
    } else {
        snprintf(exit_rec.reason, sizeof(exit_rec.reason), "%s",
                 g_relay.s.reason[0] ? g_relay.s.reason : report);
    }
    status_relay_send(g_relay.s.to_mgr, &exit_rec);
    return (int)exit_rec.status;
}
