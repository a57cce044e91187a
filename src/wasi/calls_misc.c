/* WASI args, environment, clocks, randomness, poll_oneoff and process calls. */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <time.h>

#include "wasi/calls.h"

/* args_get and environ_get: an array of guest pointers into one buffer of strings. */
static uint16_t strings_get(wasi_call *c, const wasi_strings *s, uint32_t ptrs, uint32_t buf)
{
    uint8_t *ptr_out = wasi_mem(c, ptrs, (uint64_t)s->count * 4);
    uint8_t *buf_out = wasi_mem(c, buf, s->bytes);
    if (ptr_out == NULL || buf_out == NULL)
        return WASI_EFAULT;
    uint64_t off = 0;
    for (uint32_t i = 0; i < s->count; i++) {
        size_t len = strlen(s->items[i]) + 1;
        wasi_put_u32(ptr_out + 4 * i, (uint32_t)(buf + off));
        memcpy(buf_out + off, s->items[i], len);
        off += len;
    }
    return WASI_ESUCCESS;
}

static uint16_t strings_sizes(wasi_call *c, const wasi_strings *s, uint32_t count_ptr,
                              uint32_t size_ptr)
{
    uint16_t werr = wasi_store_u32(c, count_ptr, s->count);
    return werr != WASI_ESUCCESS ? werr : wasi_store_u32(c, size_ptr, (uint32_t)s->bytes);
}

static uint16_t args_get(wasi_call *c, const bw_value *args)
{
    return strings_get(c, &c->w->args, ARG32(0), ARG32(1));
}
static uint16_t args_sizes_get(wasi_call *c, const bw_value *args)
{
    return strings_sizes(c, &c->w->args, ARG32(0), ARG32(1));
}
static uint16_t environ_get(wasi_call *c, const bw_value *args)
{
    return strings_get(c, &c->w->env, ARG32(0), ARG32(1));
}
static uint16_t environ_sizes_get(wasi_call *c, const bw_value *args)
{
    return strings_sizes(c, &c->w->env, ARG32(0), ARG32(1));
}

static bool host_clock(uint32_t id, clockid_t *out)
{
    static const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                    CLOCK_THREAD_CPUTIME_ID};
    if (id > 3)
        return false;
    *out = ids[id];
    return true;
}

static uint64_t ts_ns(struct timespec ts)
{
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint16_t clock_res_get(wasi_call *c, const bw_value *args)
{
    clockid_t id;
    struct timespec ts;
    if (!host_clock(ARG32(0), &id))
        return WASI_EINVAL;
    if (clock_getres(id, &ts) != 0)
        return wasi_errno_from_host(errno);
    uint64_t ns = ts_ns(ts);
    return wasi_store_u64(c, ARG32(1), ns == 0 ? 1 : ns);
}

static uint16_t clock_now(uint32_t wasi_id, uint64_t *ns)
{
    clockid_t id;
    struct timespec ts;
    if (!host_clock(wasi_id, &id))
        return WASI_EINVAL;
    if (clock_gettime(id, &ts) != 0)
        return wasi_errno_from_host(errno);
    *ns = ts_ns(ts);
    return WASI_ESUCCESS;
}

static uint16_t clock_time_get(wasi_call *c, const bw_value *args)
{
    uint64_t ns;
    uint16_t werr = clock_now(ARG32(0), &ns);
    return werr != WASI_ESUCCESS ? werr : wasi_store_u64(c, ARG32(2), ns);
}

static uint16_t random_get(wasi_call *c, const bw_value *args)
{
    uint8_t *out = wasi_mem(c, ARG32(0), ARG32(1));
    if (out == NULL)
        return WASI_EFAULT;
    size_t done = 0, len = ARG32(1);
    while (done < len) {
        ssize_t n = getrandom(out + done, len - done, 0);
        if (n < 0 && errno != EINTR)
            return wasi_errno_from_host(errno);
        if (n > 0)
            done += (size_t)n;
    }
    return WASI_ESUCCESS;
}

static uint16_t proc_exit(wasi_call *c, const bw_value *args)
{
    c->exit = true;
    c->exit_code = ARG32(0);
    return WASI_ESUCCESS;
}

static uint16_t proc_raise(wasi_call *c, const bw_value *args)
{
    (void)c;
    (void)args;
    return WASI_ENOSYS;
}

static uint16_t sched_yield_(wasi_call *c, const bw_value *args)
{
    (void)c;
    (void)args;
    sched_yield();
    return WASI_ESUCCESS;
}

/* ---- poll_oneoff ---- */

enum { EV_CLOCK = 0, EV_FD_READ = 1, EV_FD_WRITE = 2 };

typedef struct poll_sub {
    uint64_t userdata;
    uint8_t type;
    uint16_t error;    /* an fd subscription that failed up front */
    int pfd;           /* index into the pollfd array, or -1 */
    uint64_t deadline; /* clock: monotonic ns */
} poll_sub;

/* Reads one subscription; fd ones get a pollfd, clock ones a monotonic deadline. */
static void poll_sub_load(wasi_call *c, const uint8_t *in, poll_sub *s, struct pollfd *pfds,
                          int *npfds, uint64_t now)
{
    s->userdata = wasi_get_u64(in);
    s->type = in[8];
    s->error = WASI_ESUCCESS;
    s->pfd = -1;
    s->deadline = UINT64_MAX;
    if (s->type == EV_CLOCK) {
        uint32_t id = wasi_get_u32(in + 16);
        uint64_t timeout = wasi_get_u64(in + 24);
        bool absolute = (wasi_get_u16(in + 40) & 1) != 0;
        uint64_t clock_ns;
        s->error = clock_now(id, &clock_ns);
        if (s->error != WASI_ESUCCESS)
            return;
        uint64_t rel = !absolute ? timeout : (timeout > clock_ns ? timeout - clock_ns : 0);
        s->deadline = rel > UINT64_MAX - now ? UINT64_MAX : now + rel;
        return;
    }
    if (s->type != EV_FD_READ && s->type != EV_FD_WRITE) {
        s->error = WASI_EINVAL;
        return;
    }
    uint64_t need = s->type == EV_FD_READ ? WASI_R_FD_READ : WASI_R_FD_WRITE;
    wasi_fd *e;
    s->error = wasi_fd_get(c->w, wasi_get_u32(in + 16), need, &e);
    if (s->error != WASI_ESUCCESS)
        return;
    int host = e->ops->poll_fd(e->node);
    if (host < 0 || e->filetype == WASI_FILETYPE_REGULAR_FILE)
        return; /* always ready */
    pfds[*npfds].fd = host;
    pfds[*npfds].events = s->type == EV_FD_READ ? POLLIN : POLLOUT;
    pfds[*npfds].revents = 0;
    s->pfd = (*npfds)++;
}

/* Whether subscription `s` fired; fills the 32-byte event when it did. */
static bool poll_event(const poll_sub *s, const struct pollfd *pfds, uint64_t now, uint8_t *ev)
{
    bool fired;
    uint64_t nbytes = 0;
    uint16_t flags = 0;
    if (s->error != WASI_ESUCCESS)
        fired = true;
    else if (s->type == EV_CLOCK)
        fired = now >= s->deadline;
    else if (s->pfd < 0)
        fired = true, nbytes = 1;
    else {
        short re = pfds[s->pfd].revents;
        fired = re != 0;
        int avail = 0;
        if (s->type == EV_FD_READ && ioctl(pfds[s->pfd].fd, FIONREAD, &avail) == 0)
            nbytes = avail > 0 ? (uint64_t)avail : 0;
        else
            nbytes = 1;
        if (re & POLLHUP)
            flags |= 1;
    }
    if (!fired)
        return false;
    memset(ev, 0, 32);
    wasi_put_u64(ev, s->userdata);
    wasi_put_u16(ev + 8, s->error);
    ev[10] = s->type;
    if (s->type != EV_CLOCK) {
        wasi_put_u64(ev + 16, nbytes);
        wasi_put_u16(ev + 24, flags);
    }
    return true;
}

static uint64_t mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts_ns(ts);
}

/* Waits for the earliest deadline or a ready descriptor. An interrupted wait (the time
 * limit's signal) returns early; the engine then stops the guest at its next step. */
static int poll_wait(struct pollfd *pfds, int npfds, const poll_sub *subs, uint32_t n, uint64_t now,
                     bool ready)
{
    uint64_t deadline = UINT64_MAX;
    for (uint32_t i = 0; i < n; i++) {
        if (subs[i].error != WASI_ESUCCESS || (subs[i].type != EV_CLOCK && subs[i].pfd < 0))
            ready = true;
        if (subs[i].type == EV_CLOCK && subs[i].deadline < deadline)
            deadline = subs[i].deadline;
    }
    struct timespec ts = {0, 0};
    if (!ready && deadline != UINT64_MAX && deadline > now) {
        uint64_t rel = deadline - now;
        ts.tv_sec = (time_t)(rel / 1000000000u);
        ts.tv_nsec = (long)(rel % 1000000000u);
    }
    bool forever = !ready && deadline == UINT64_MAX;
    return ppoll(pfds, (nfds_t)npfds, forever ? NULL : &ts, NULL);
}

static uint16_t poll_oneoff(wasi_call *c, const bw_value *args)
{
    uint32_t n = ARG32(2);
    if (n == 0 || n > BURH_WASI_MAX_SUBSCRIPTIONS)
        return WASI_EINVAL;
    const uint8_t *in = wasi_mem(c, ARG32(0), (uint64_t)n * 48);
    uint8_t *out = wasi_mem(c, ARG32(1), (uint64_t)n * 32);
    if (in == NULL || out == NULL || wasi_mem(c, ARG32(3), 4) == NULL)
        return WASI_EFAULT;
    poll_sub *subs = malloc((size_t)n * sizeof *subs);
    struct pollfd *pfds = malloc((size_t)n * sizeof *pfds);
    if (subs == NULL || pfds == NULL) {
        free(subs);
        free(pfds);
        return WASI_ENOMEM;
    }
    int npfds = 0;
    uint64_t now = mono_now();
    for (uint32_t i = 0; i < n; i++)
        poll_sub_load(c, in + 48 * (size_t)i, &subs[i], pfds, &npfds, now);
    uint32_t nevents = 0;
    for (;;) {
        int rc = poll_wait(pfds, npfds, subs, n, now, false);
        now = mono_now();
        for (uint32_t i = 0; i < n; i++) {
            if (poll_event(&subs[i], pfds, now, out + 32 * (size_t)nevents))
                nevents++;
        }
        /* A timer that woke us a little early waits again; a signal ends the call. */
        if (nevents > 0 || rc < 0)
            break;
    }
    free(subs);
    free(pfds);
    return wasi_store_u32(c, ARG32(3), nevents);
}

const wasi_def wasi_defs_misc[] = {
    {"args_get", "ii", "i", args_get},
    {"args_sizes_get", "ii", "i", args_sizes_get},
    {"environ_get", "ii", "i", environ_get},
    {"environ_sizes_get", "ii", "i", environ_sizes_get},
    {"clock_res_get", "ii", "i", clock_res_get},
    {"clock_time_get", "iIi", "i", clock_time_get},
    {"random_get", "ii", "i", random_get},
    {"poll_oneoff", "iiii", "i", poll_oneoff},
    {"proc_exit", "i", "", proc_exit},
    {"proc_raise", "i", "i", proc_raise},
    {"sched_yield", "", "i", sched_yield_},
    {NULL, NULL, NULL, NULL},
};
