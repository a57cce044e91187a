/* localfd.c: descriptors the shim serves itself (pipes, eventfds, epoll, poll over them and
 * host fds, dup of stdio) and the single-thread futex; the host need not see them. */
#include "shim/shim.h"

#define SYS_read          0
#define SYS_write         1
#define SYS_close         3
#define SYS_poll          7
#define SYS_ppoll         271
#define SYS_fstat         5
#define SYS_newfstatat    262
#define SYS_pipe          22
#define SYS_dup           32
#define SYS_fcntl         72
#define SYS_sysinfo       99
#define SYS_futex         202
#define SYS_epoll_create  213
#define SYS_epoll_wait    232
#define SYS_epoll_ctl     233
#define SYS_epoll_pwait   281
#define SYS_eventfd       284
#define SYS_eventfd2      290
#define SYS_epoll_create1 291
#define SYS_pipe2         293

#define EAGAIN 11
#define EMFILE 24
#define EPIPE  32

#define O_NONBLOCK 0x800
#define O_CLOEXEC  0x80000

#define POLLIN       0x1
#define POLLOUT      0x4
#define POLLNVAL     0x20
#define POLLERR      0x8
#define POLLHUP      0x10
#define POLLRDHUP    0x2000
#define EPOLLONESHOT (1u << 30)

#define LOCAL_MAX    64    /* shim descriptors, numbered from BURH_HC_FD_HOST_MAX */
#define PIPE_BUF_MAX 65536 /* Linux's default capacity: fewer switches for a guest's output */
#define PIPE_ATOMIC  4096  /* PIPE_BUF: writes up to this size are never split */
#define EPOLL_MAX    128   /* registrations per epoll instance */

enum local_kind {
    LOCAL_FREE = 0,
    LOCAL_PIPE_RD,
    LOCAL_PIPE_WR,
    LOCAL_EVENTFD,
    LOCAL_EPOLL,
    LOCAL_ALIAS
};

struct pipe_buf {
    uint8_t bytes[PIPE_BUF_MAX];
    uint32_t head, len;
    int readers, writers;
};

struct epoll_entry {
    int32_t fd;
    uint32_t events;
    uint64_t data;
};

struct epoll_set {
    struct epoll_entry e[EPOLL_MAX];
    uint32_t count;
};

struct local_fd {
    enum local_kind kind;
    uint32_t flags;   /* O_NONBLOCK, FD_CLOEXEC recorded */
    int32_t target;   /* LOCAL_ALIAS: the host fd (stdio) it duplicates */
    uint64_t counter; /* LOCAL_EVENTFD */
    struct pipe_buf *pipe;
    struct epoll_set *epoll;
};

static struct local_fd g_local[LOCAL_MAX];
static struct pipe_buf g_pipes[LOCAL_MAX / 2];
static struct epoll_set g_epolls[4];

static struct local_fd *local_get(int64_t fd)
{
    if (fd < BURH_HC_FD_HOST_MAX || fd >= BURH_HC_FD_HOST_MAX + LOCAL_MAX)
        return 0;
    struct local_fd *l = &g_local[fd - BURH_HC_FD_HOST_MAX];
    return l->kind == LOCAL_FREE ? 0 : l;
}

static int64_t local_new(enum local_kind kind)
{
    for (int i = 0; i < LOCAL_MAX; i++) {
        if (g_local[i].kind == LOCAL_FREE) {
            memset(&g_local[i], 0, sizeof(g_local[i]));
            g_local[i].kind = kind;
            return BURH_HC_FD_HOST_MAX + i;
        }
    }
    return -EMFILE;
}

static int64_t sys_pipe2(uint64_t fds, uint64_t flags)
{
    if (flags & ~(uint64_t)(O_NONBLOCK | O_CLOEXEC))
        return -EINVAL;
    if (mm_user_ok(fds, 8, 1) != 0)
        return -EFAULT;
    struct pipe_buf *p = 0;
    for (unsigned i = 0; i < sizeof(g_pipes) / sizeof(g_pipes[0]) && !p; i++)
        if (!g_pipes[i].readers && !g_pipes[i].writers)
            p = &g_pipes[i];
    int64_t rd = p ? local_new(LOCAL_PIPE_RD) : -EMFILE;
    if (rd < 0)
        return rd;
    int64_t wr = local_new(LOCAL_PIPE_WR);
    if (wr < 0) {
        g_local[rd - BURH_HC_FD_HOST_MAX].kind = LOCAL_FREE;
        return wr;
    }
    /* Not a memset: clearing the 64 KiB of bytes (never read before written) costs ~5 ms when
     * the shim is emulated (PVM). */
    p->head = p->len = 0;
    p->readers = p->writers = 1;
    struct local_fd *r = local_get(rd), *w = local_get(wr);
    r->pipe = w->pipe = p;
    r->flags = w->flags = (uint32_t)flags;
    int32_t pair[2] = {(int32_t)rd, (int32_t)wr};
    memcpy((void *)(uintptr_t)fds, pair, 8);
    return 0;
}

static int64_t sys_eventfd2(uint64_t initval, uint64_t flags)
{
    if (flags & ~(uint64_t)(O_NONBLOCK | O_CLOEXEC | 1)) /* 1 = EFD_SEMAPHORE: refused below */
        return -EINVAL;
    if (flags & 1)
        return -EINVAL;
    int64_t fd = local_new(LOCAL_EVENTFD);
    if (fd >= 0) {
        local_get(fd)->counter = (uint32_t)initval;
        local_get(fd)->flags = (uint32_t)flags;
    }
    return fd;
}

static int64_t sys_epoll_create(void)
{
    for (unsigned i = 0; i < sizeof(g_epolls) / sizeof(g_epolls[0]); i++) {
        int used = 0;
        for (int k = 0; k < LOCAL_MAX; k++)
            used |= g_local[k].kind == LOCAL_EPOLL && g_local[k].epoll == &g_epolls[i];
        if (used)
            continue;
        int64_t fd = local_new(LOCAL_EPOLL);
        if (fd >= 0) {
            g_epolls[i].count = 0; /* entries past count are never read */
            local_get(fd)->epoll = &g_epolls[i];
        }
        return fd;
    }
    return -EMFILE;
}

/* Readiness of a shim descriptor as poll bits. */
static uint32_t local_ready(const struct local_fd *l)
{
    switch (l->kind) {
    case LOCAL_PIPE_RD:
        return (l->pipe->len ? POLLIN : 0) | (l->pipe->writers ? 0 : POLLHUP);
    case LOCAL_PIPE_WR:
        return (l->pipe->len < PIPE_BUF_MAX ? POLLOUT : 0) | (l->pipe->readers ? 0 : POLLERR);
    case LOCAL_EVENTFD:
        return (l->counter ? POLLIN : 0) | POLLOUT;
    case LOCAL_ALIAS:
        return POLLOUT;
    default:
        return 0;
    }
}

static int blocking(const struct local_fd *l)
{
    return !(l->flags & O_NONBLOCK);
}

/* Copies n bytes out of (to_user = 1) or into the ring at ring offset `at`, in two pieces. */
static void pipe_copy(struct pipe_buf *p, uint32_t at, uint8_t *user, uint64_t n, int to_user)
{
    uint64_t first = PIPE_BUF_MAX - at < n ? PIPE_BUF_MAX - at : n;
    if (to_user) {
        memcpy(user, p->bytes + at, (size_t)first);
        memcpy(user + first, p->bytes, (size_t)(n - first));
    } else {
        memcpy(p->bytes + at, user, (size_t)first);
        memcpy(p->bytes, user + first, (size_t)(n - first));
    }
}

/* An empty pipe or a zero eventfd: a blocking reader parks until a write or close wakes it. */
static int64_t local_read(struct local_fd *l, uint64_t buf, uint64_t len)
{
    if (l->kind == LOCAL_EVENTFD) {
        if (len < 8)
            return -EINVAL;
        if (mm_user_ok(buf, 8, 1) != 0)
            return -EFAULT;
        if (!l->counter && blocking(l))
            thread_block_on(l);
        if (!l->counter)
            return blocking(l) ? SHIM_BLOCKED : -EAGAIN;
        memcpy((void *)(uintptr_t)buf, &l->counter, 8);
        l->counter = 0;
        thread_wake_channel(l);
        return 8;
    }
    if (l->kind != LOCAL_PIPE_RD)
        return -EBADF;
    struct pipe_buf *p = l->pipe;
    if (!p->len && !p->writers)
        return 0;
    if (!p->len && blocking(l))
        thread_block_on(p);
    if (!p->len)
        return blocking(l) ? SHIM_BLOCKED : -EAGAIN;
    uint64_t n = len < p->len ? len : p->len;
    if (mm_user_ok(buf, n, 1) != 0)
        return -EFAULT;
    pipe_copy(p, p->head, (uint8_t *)(uintptr_t)buf, n, 1);
    p->head = (uint32_t)((p->head + n) % PIPE_BUF_MAX);
    p->len -= (uint32_t)n;
    thread_wake_channel(p); /* writers waiting for room */
    return (int64_t)n;
}

static int64_t eventfd_write(struct local_fd *l, uint64_t buf, uint64_t len)
{
    uint64_t add;
    if (len < 8)
        return -EINVAL;
    if (mm_user_ok(buf, 8, 0) != 0)
        return -EFAULT;
    memcpy(&add, (const void *)(uintptr_t)buf, 8);
    if (add == ~0ull || add > ~0ull - 1 - l->counter)
        return add == ~0ull ? -EINVAL : -EAGAIN;
    l->counter += add;
    thread_wake_channel(l);
    return 8;
}

/* Linux's pipe write: up to PIPE_ATOMIC bytes go in whole or not at all; a blocking writer
 * parks while the pipe is full and continues (thread_io_done) until every byte is in. */
static int64_t local_write(struct local_fd *l, const uint64_t a[6])
{
    if (l->kind == LOCAL_EVENTFD)
        return eventfd_write(l, a[1], a[2]);
    if (l->kind != LOCAL_PIPE_WR)
        return -EBADF;
    struct pipe_buf *p = l->pipe;
    uint64_t done = blocking(l) ? thread_io_done(a) : 0;
    uint64_t buf = a[1] + done, len = a[2] - done;
    if (!p->readers) {
        thread_io_set(a, 0);
        return done ? (int64_t)done : -EPIPE; /* no SIGPIPE: the payload ignores it anyway */
    }
    uint64_t room = PIPE_BUF_MAX - p->len, n = len < room ? len : room;
    if (len <= PIPE_ATOMIC && n < len)
        n = 0;
    if (mm_user_ok(buf, n, 0) != 0) {
        thread_io_set(a, 0);
        return done ? (int64_t)done : -EFAULT;
    }
    pipe_copy(p, (p->head + p->len) % PIPE_BUF_MAX, (uint8_t *)(uintptr_t)buf, n, 0);
    p->len += (uint32_t)n;
    if (n)
        thread_wake_channel(p); /* readers waiting for bytes */
    if (n < len && blocking(l)) {
        thread_io_set(a, done + n);
        thread_block_on(p);
        return SHIM_BLOCKED;
    }
    thread_io_set(a, 0);
    if (len && !n)
        return -EAGAIN;
    return (int64_t)(done + n);
}

static int64_t local_close(struct local_fd *l)
{
    if (l->kind == LOCAL_PIPE_RD)
        l->pipe->readers = 0;
    else if (l->kind == LOCAL_PIPE_WR)
        l->pipe->writers = 0;
    if (l->kind == LOCAL_PIPE_RD || l->kind == LOCAL_PIPE_WR)
        thread_wake_channel(l->pipe); /* EOF for readers, EPIPE for writers */
    memset(l, 0, sizeof(*l));
    return 0;
}

/* fcntl on a shim descriptor: the flags are recorded; O_NONBLOCK decides whether a read of an
 * empty pipe or a write to a full one gives EAGAIN or parks the thread. */
static int64_t local_fcntl(struct local_fd *l, int64_t cmd, uint64_t arg)
{
    switch (cmd) {
    case 1: /* F_GETFD */
        return (l->flags & O_CLOEXEC) ? 1 : 0;
    case 2: /* F_SETFD */
        l->flags = (l->flags & ~(uint32_t)O_CLOEXEC) | ((arg & 1) ? O_CLOEXEC : 0);
        return 0;
    case 3: /* F_GETFL */
        return (l->flags & O_NONBLOCK) | (l->kind == LOCAL_PIPE_WR ? 1 : 2);
    case 4: /* F_SETFL */
        l->flags = (l->flags & ~(uint32_t)O_NONBLOCK) | (uint32_t)(arg & O_NONBLOCK);
        return 0;
    default:
        return -EINVAL;
    }
}

/* dup: only of stdio, whose host descriptors the host never really closes (docs/kvm.md). */
static int64_t sys_dup(int64_t fd)
{
    struct local_fd *src = local_get(fd);
    if (src && src->kind == LOCAL_ALIAS)
        fd = src->target;
    if (fd < 0 || fd > 2) {
        shim_log("dup of fd %ld: only stdio can be duplicated", (long)fd);
        return src ? -EINVAL : -EBADF;
    }
    int64_t nfd = local_new(LOCAL_ALIAS);
    if (nfd >= 0)
        local_get(nfd)->target = (int32_t)fd;
    return nfd;
}

static int64_t epoll_ctl_(int64_t epfd, int64_t op, int64_t fd, uint64_t ev)
{
    struct local_fd *l = local_get(epfd);
    if (!l || l->kind != LOCAL_EPOLL)
        return -EBADF;
    if (fd < 0 || fd >= BURH_HC_FD_MAX || fd == epfd)
        return fd == epfd ? -EINVAL : -EBADF;
    struct epoll_set *s = l->epoll;
    uint8_t raw[12] = {0}; /* struct epoll_event is packed on x86-64: u32 events, u64 data */
    if (op != 2) {
        if (mm_user_ok(ev, 12, 0) != 0)
            return -EFAULT;
        memcpy(raw, (const void *)(uintptr_t)ev, 12);
    }
    uint32_t i = 0;
    while (i < s->count && s->e[i].fd != fd)
        i++;
    if (op == 1) { /* EPOLL_CTL_ADD */
        if (i < s->count)
            return -EEXIST;
        if (s->count == EPOLL_MAX)
            return -ENOMEM;
        s->count++;
    } else if (op != 2 && op != 3) {
        return -EINVAL;
    } else if (i == s->count) {
        return -ENOENT;
    } else if (op == 2) { /* EPOLL_CTL_DEL */
        s->e[i] = s->e[--s->count];
        return 0;
    }
    s->e[i].fd = (int32_t)fd;
    memcpy(&s->e[i].events, raw, 4);
    memcpy(&s->e[i].data, raw + 4, 8);
    return 0;
}

static struct burh_hc_pollfd g_epoll_poll[EPOLL_MAX];

/* Level-triggered: every registration is checked on each call (EPOLLET is served as level,
 * which only costs libevent an extra EAGAIN). Host sockets are polled in one hostcall. */
static int64_t epoll_wait_(int64_t epfd, uint64_t out, int64_t max, int64_t timeout)
{
    struct local_fd *l = local_get(epfd);
    if (!l || l->kind != LOCAL_EPOLL)
        return -EBADF;
    if (max <= 0 || max > EPOLL_MAX * 16)
        return -EINVAL;
    if (mm_user_ok(out, (uint64_t)max * 12, 1) != 0)
        return -EFAULT;
    struct epoll_set *s = l->epoll;
    uint32_t ready[EPOLL_MAX], nhost = 0, nlocal = 0;
    for (uint32_t i = 0; i < s->count; i++) {
        struct local_fd *t = local_get(s->e[i].fd);
        ready[i] = t ? local_ready(t) : 0;
        nlocal += ready[i] != 0;
        if (!t && s->e[i].fd < BURH_HC_FD_HOST_MAX && (s->e[i].events & 0xffff)) {
            g_epoll_poll[nhost].fd = s->e[i].fd;
            g_epoll_poll[nhost].events =
                (int16_t)(s->e[i].events & (POLLIN | 0x2 | POLLOUT | POLLRDHUP));
            nhost++;
        }
    }
    if (nlocal)
        timeout = 0;
    if (!nhost && !nlocal && timeout < 0)
        shim_abort("deadlock: epoll_wait without timeout on nothing that can become ready "
                   "(one thread)");
    if (nhost || timeout != 0) {
        int64_t r = fwd_poll_host(g_epoll_poll, nhost, timeout < -1 ? -1 : timeout);
        if (r < 0)
            return r;
    }
    int64_t n = 0;
    for (uint32_t i = 0, h = 0; i < s->count && n < max; i++) {
        if (!local_get(s->e[i].fd) && s->e[i].fd < BURH_HC_FD_HOST_MAX && (s->e[i].events & 0xffff))
            ready[i] = (uint16_t)g_epoll_poll[h++].revents;
        uint32_t ev = ready[i] & (s->e[i].events | POLLERR | POLLHUP);
        if (!ev)
            continue;
        uint8_t *dst = (uint8_t *)(uintptr_t)out + n * 12;
        memcpy(dst, &ev, 4);
        memcpy(dst + 4, &s->e[i].data, 8);
        if (s->e[i].events & EPOLLONESHOT)
            s->e[i].events = 0;
        n++;
    }
    return n;
}

/* poll and ppoll: shim descriptors are answered here, host ones in one forwarded poll (a ready
 * shim descriptor makes it a check, not a wait); the payload's array is copied once. */
static int64_t local_poll(uint64_t fds, uint64_t nfds, int64_t timeout)
{
    static struct burh_hc_pollfd copy[BURH_HC_POLL_MAX], host[BURH_HC_POLL_MAX];
    static uint16_t host_at[BURH_HC_POLL_MAX];
    if (nfds > BURH_HC_POLL_MAX)
        return -EINVAL;
    if (mm_user_ok(fds, nfds * 8, 1) != 0)
        return -EFAULT;
    memcpy(copy, (const void *)(uintptr_t)fds, (size_t)nfds * 8);
    uint32_t nhost = 0;
    int64_t ready = 0;
    for (uint32_t i = 0; i < nfds; i++) {
        struct local_fd *l = local_get(copy[i].fd);
        uint32_t asked = (uint16_t)copy[i].events | POLLERR | POLLHUP;
        copy[i].revents = 0;
        if (copy[i].fd < 0)
            continue;
        if (l)
            copy[i].revents = (int16_t)(local_ready(l) & asked);
        else if (copy[i].fd >= BURH_HC_FD_HOST_MAX)
            copy[i].revents = POLLNVAL;
        else {
            host[nhost] = copy[i];
            host_at[nhost++] = (uint16_t)i;
        }
        ready += copy[i].revents != 0;
    }
    if (ready)
        timeout = 0;
    if (!nhost && !ready && timeout < 0 && !thread_others_alive())
        shim_abort("deadlock: poll without timeout on nothing that can become ready "
                   "(one thread)");
    if (nhost || timeout != 0) {
        int64_t r = fwd_poll_host(host, nhost, timeout < -1 ? -1 : timeout);
        if (r < 0)
            return r;
        for (uint32_t h = 0; h < nhost; h++) {
            copy[host_at[h]].revents = host[h].revents;
            ready += host[h].revents != 0;
        }
    }
    memcpy((void *)(uintptr_t)fds, copy, (size_t)nfds * 8);
    return ready;
}

int64_t local_ppoll_timeout(uint64_t a[6])
{
    int64_t ts[2];
    if (a[3]) { /* the mask is checked, not applied: signals arrive at syscall returns anyway */
        if (a[4] != 8)
            return -EINVAL;
        if (mm_user_ok(a[3], 8, 0) != 0)
            return -EFAULT;
    }
    if (!a[2]) {
        a[2] = (uint64_t)-1;
        return 0;
    }
    if (mm_user_ok(a[2], 16, 0) != 0)
        return -EFAULT;
    memcpy(ts, (const void *)(uintptr_t)a[2], 16);
    if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
        return -EINVAL;
    /* Rounded up, as Linux never waits less than asked; beyond 24 days it is 24 days. */
    uint64_t ms = ts[0] > 0x7fffffff / 1000
                      ? 0x7fffffff
                      : (uint64_t)ts[0] * 1000 + ((uint64_t)ts[1] + 999999) / 1000000;
    a[2] = ms > 0x7fffffff ? 0x7fffffff : ms;
    return 0;
}

/* One vCPU and one thread: a wait on an unchanged futex word could never end. */
static int64_t sys_futex(uint64_t uaddr, int64_t op, uint64_t val)
{
    int cmd = (int)(op & 0x7f); /* without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME */
    if (cmd == 1 || cmd == 10)  /* FUTEX_WAKE, FUTEX_WAKE_BITSET: nobody else to wake */
        return 0;
    if (cmd != 0 && cmd != 9) {
        shim_log("futex op %ld not supported", (long)op);
        return -ENOSYS;
    }
    uint32_t word;
    if ((uaddr & 3) || mm_user_ok(uaddr, 4, 0) != 0)
        return (uaddr & 3) ? -EINVAL : -EFAULT;
    memcpy(&word, (const void *)(uintptr_t)uaddr, 4);
    if (word != (uint32_t)val)
        return -EAGAIN;
    shim_abort("deadlock: futex wait at %lx with one thread", (unsigned long)uaddr);
}

/* struct sysinfo: what glibc and OpenSSL ask for (memory sizes, one process). */
static int64_t sys_sysinfo(uint64_t buf)
{
    uint64_t info[14] = {0}; /* 112 bytes */
    if (mm_user_ok(buf, sizeof(info), 1) != 0)
        return -EFAULT;
    info[4] = g_boot.mem_size;                   /* totalram */
    info[5] = g_boot.mem_size - g_boot.free_gpa; /* freeram, an upper bound */
    info[10] = 1;                                /* procs (u16 at offset 80) */
    uint32_t mem_unit = 1;
    memcpy(info + 13, &mem_unit, 4); /* mem_unit at offset 104 */
    memcpy((void *)(uintptr_t)buf, info, sizeof(info));
    return 0;
}

int64_t local_syscall(uint64_t nr, const uint64_t a[6], int *handled)
{
    int64_t fd = (int64_t)a[0];
    struct local_fd *l = local_get(fd);
    *handled = 1;
    switch (nr) {
    case SYS_pipe:
        return sys_pipe2(a[0], 0);
    case SYS_pipe2:
        return sys_pipe2(a[0], a[1]);
    case SYS_eventfd:
        return sys_eventfd2(a[0], 0);
    case SYS_eventfd2:
        return sys_eventfd2(a[0], a[1]);
    case SYS_epoll_create:
        return (int64_t)a[0] <= 0 ? -EINVAL : sys_epoll_create();
    case SYS_epoll_create1:
        return (a[0] & ~(uint64_t)O_CLOEXEC) ? -EINVAL : sys_epoll_create();
    case SYS_epoll_ctl:
        return epoll_ctl_(fd, (int64_t)a[1], (int64_t)a[2], a[3]);
    case SYS_epoll_wait:
    case SYS_epoll_pwait: /* its signal mask is ignored: signals arrive at syscall returns */
        return epoll_wait_(fd, a[1], (int64_t)a[2], (int64_t)a[3]);
    case SYS_poll:
    case SYS_ppoll: /* a[2] is in milliseconds already (local_ppoll_timeout) */
        return local_poll(a[0], a[1], (int64_t)(int32_t)a[2]);
    case SYS_dup:
        return sys_dup(fd);
    case SYS_futex:
        return sys_futex(a[0], (int64_t)a[1], a[2]);
    case SYS_sysinfo:
        return sys_sysinfo(a[0]);
    default:
        break;
    }
    if (l && l->kind == LOCAL_ALIAS &&
        (nr == SYS_read || nr == SYS_write || nr == SYS_fcntl || nr == SYS_fstat ||
         nr == SYS_newfstatat)) {
        uint64_t b[6] = {(uint64_t)l->target, a[1], a[2], a[3], a[4], a[5]};
        return fwd_syscall(nr, b, handled);
    }
    if (!l && fd >= BURH_HC_FD_HOST_MAX && fd < BURH_HC_FD_MAX &&
        (nr == SYS_read || nr == SYS_write || nr == SYS_close || nr == SYS_fcntl))
        return -EBADF; /* a shim number not in use: never the host's business */
    if (!l) {
        *handled = 0;
        return -ENOSYS;
    }
    switch (nr) {
    case SYS_read:
        return local_read(l, a[1], a[2]);
    case SYS_write:
        return local_write(l, a);
    case SYS_close:
        return local_close(l);
    case SYS_fcntl:
        return local_fcntl(l, (int64_t)a[1], a[2]);
    case SYS_fstat:
    case SYS_newfstatat: { /* pipes are FIFOs; eventfd and epoll are typeless, as on Linux */
        int64_t ok = fwd_stat_target(nr, a);
        uint32_t type = l->kind == LOCAL_PIPE_RD || l->kind == LOCAL_PIPE_WR ? 0010000u : 0;
        return ok < 0 ? ok : fwd_fill_stat(nr == SYS_fstat ? a[1] : a[2], type);
    }
    default:
        shim_log("syscall %lu on shim fd %ld not supported", (unsigned long)nr, (long)fd);
        return -EINVAL;
    }
}
