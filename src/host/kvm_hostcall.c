/* kvm_hostcall.c: serves the keep's forwarded syscalls on its own stdio and sockets only.
 * Each request is copied out of the shared block once, validated, then performed. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host/kvm.h"

#define HOSTILE_ERRNO 100000

enum kvm_hostile kvm_hostile_parse(const char *name)
{
    if (!name || !*name)
        return KVM_HOSTILE_NONE;
    if (strcmp(name, "write-ret") == 0)
        return KVM_HOSTILE_WRITE_RET;
    if (strcmp(name, "errno-range") == 0)
        return KVM_HOSTILE_ERRNO_RANGE;
    if (strcmp(name, "addrlen") == 0)
        return KVM_HOSTILE_ADDRLEN;
    if (strcmp(name, "clock") == 0)
        return KVM_HOSTILE_CLOCK;
    if (strcmp(name, "poll") == 0)
        return KVM_HOSTILE_POLL;
    if (strcmp(name, "recv-len") == 0)
        return KVM_HOSTILE_RECV_LEN;
    if (strcmp(name, "sockopt-len") == 0)
        return KVM_HOSTILE_SOCKOPT_LEN;
    if (strcmp(name, "fstat") == 0)
        return KVM_HOSTILE_FSTAT;
    if (strcmp(name, "tsc-khz") == 0)
        return KVM_HOSTILE_TSC_KHZ;
    return KVM_HOSTILE_NONE;
}

void kvm_fdtab_init(struct kvm_fdtab *tab)
{
    for (int i = 0; i < BURH_HC_FD_MAX; i++)
        tab->host[i] = i <= 2 ? i : -1;
}

int kvm_fdtab_install(struct kvm_fdtab *tab, int guest_fd, int fd)
{
    if (guest_fd < 3 || guest_fd >= BURH_HC_FD_HOST_MAX || tab->host[guest_fd] >= 0 || fd < 0)
        return -1;
    tab->host[guest_fd] = fd;
    return 0;
}

void kvm_fdtab_close_all(struct kvm_fdtab *tab)
{
    for (int i = 0; i < BURH_HC_FD_MAX; i++) {
        if (tab->host[i] > 2)
            close(tab->host[i]);
        tab->host[i] = -1;
    }
}

static int host_fd(const struct kvm_fdtab *tab, int32_t guest_fd)
{
    if (guest_fd < 0 || guest_fd >= BURH_HC_FD_MAX)
        return -1;
    return tab->host[guest_fd];
}

/* Gives a new host socket the lowest free guest number; closes it when the table is full. */
static int64_t adopt_fd(struct kvm_fdtab *tab, int fd)
{
    if (fd < 0)
        return -errno;
    for (int i = 3; i < BURH_HC_FD_HOST_MAX; i++) {
        if (tab->host[i] < 0) {
            tab->host[i] = fd;
            return i;
        }
    }
    close(fd);
    return -EMFILE;
}

static int64_t result(long r)
{
    return r < 0 ? -(int64_t)errno : (int64_t)r;
}

/* Only IP sockets: the keep gets no path into the host's file system through AF_UNIX. */
static int64_t do_socket(struct kvm_hostcall_ctx *ctx, const struct burh_hc_socket *a)
{
    int base = a->type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (a->domain != AF_INET && a->domain != AF_INET6)
        return -EAFNOSUPPORT;
    if (base != SOCK_STREAM && base != SOCK_DGRAM)
        return -EINVAL;
    return adopt_fd(&ctx->fds, socket(a->domain, a->type | SOCK_CLOEXEC, a->protocol));
}

static int64_t do_addr(struct kvm_hostcall_ctx *ctx, uint32_t call, const struct burh_hc_addr *a,
                       const uint8_t *data)
{
    struct sockaddr_storage ss;
    int fd = host_fd(&ctx->fds, a->fd);
    if (fd < 0)
        return -EBADF;
    if (a->addrlen > BURH_HC_SOCKADDR_MAX || a->addrlen < sizeof(sa_family_t))
        return -EINVAL;
    memcpy(&ss, data, a->addrlen);
    if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
        return -EAFNOSUPPORT;
    if (call == BURH_HC_BIND)
        return result(bind(fd, (struct sockaddr *)&ss, a->addrlen));
    return result(connect(fd, (struct sockaddr *)&ss, a->addrlen));
}

static int64_t do_name(struct kvm_hostcall_ctx *ctx, uint32_t call, const struct burh_hc_name *a,
                       volatile struct burh_hc_block *blk, uint8_t *data)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int fd = host_fd(&ctx->fds, a->fd);
    if (fd < 0)
        return -EBADF;
    if (a->addrlen_cap > BURH_HC_SOCKADDR_MAX)
        return -EINVAL;
    int64_t ret;
    if (call == BURH_HC_ACCEPT4) {
        if (a->flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
            return -EINVAL;
        ret =
            adopt_fd(&ctx->fds, accept4(fd, (struct sockaddr *)&ss, &len, a->flags | SOCK_CLOEXEC));
    } else {
        ret = result(getsockname(fd, (struct sockaddr *)&ss, &len));
    }
    if (ret < 0)
        return ret;
    if (len > sizeof(ss))
        len = sizeof(ss);
    memcpy(data, &ss, len < a->addrlen_cap ? len : a->addrlen_cap);
    blk->args.name.addrlen = ctx->hostile == KVM_HOSTILE_ADDRLEN ? 4096 : len;
    return ret;
}

/* A short allow-list: what servers set on their sockets, nothing that reaches host policy. */
static int sockopt_allowed(int level, int name)
{
    if (level == SOL_SOCKET)
        return name == SO_REUSEADDR || name == SO_REUSEPORT || name == SO_KEEPALIVE ||
               name == SO_RCVBUF || name == SO_SNDBUF || name == SO_LINGER || name == SO_RCVTIMEO ||
               name == SO_SNDTIMEO;
    if (level == IPPROTO_TCP)
        return name == TCP_NODELAY || name == TCP_KEEPIDLE || name == TCP_KEEPINTVL ||
               name == TCP_KEEPCNT;
    return level == IPPROTO_IPV6 && name == IPV6_V6ONLY;
}

static int64_t do_sockopt(struct kvm_hostcall_ctx *ctx, const struct burh_hc_sockopt *a,
                          const uint8_t *data)
{
    uint8_t opt[BURH_HC_OPT_MAX];
    int fd = host_fd(&ctx->fds, a->fd);
    if (fd < 0)
        return -EBADF;
    if (a->optlen > sizeof(opt))
        return -EINVAL;
    if (!sockopt_allowed(a->level, a->optname))
        return -ENOPROTOOPT;
    memcpy(opt, data, a->optlen);
    return result(setsockopt(fd, a->level, a->optname, opt, a->optlen));
}

/* Reading options reveals no host policy either; SO_ERROR is how non-blocking connects end. */
static int getsockopt_allowed(int level, int name)
{
    if (level == SOL_SOCKET && (name == SO_ERROR || name == SO_TYPE || name == SO_DOMAIN ||
                                name == SO_PROTOCOL || name == SO_ACCEPTCONN))
        return 1;
    return sockopt_allowed(level, name);
}

static int64_t do_getsockopt(struct kvm_hostcall_ctx *ctx, const struct burh_hc_sockopt *a,
                             uint8_t *data)
{
    uint8_t opt[BURH_HC_OPT_MAX];
    socklen_t len = a->optlen;
    int fd = host_fd(&ctx->fds, a->fd);
    if (fd < 0)
        return -EBADF;
    if (a->optlen > sizeof(opt))
        return -EINVAL;
    if (!getsockopt_allowed(a->level, a->optname))
        return -ENOPROTOOPT;
    if (getsockopt(fd, a->level, a->optname, opt, &len) != 0)
        return -errno;
    if (len > a->optlen)
        len = a->optlen;
    memcpy(data, opt, len);
    return ctx->hostile == KVM_HOSTILE_SOCKOPT_LEN ? (int64_t)a->optlen + 1 : (int64_t)len;
}

/* SENDTO/RECVFROM: bytes at data + BURH_HC_MSG_DATA, the address at data. MSG_NOSIGNAL always:
 * a vanished peer must give the keep EPIPE, not signal keepldr. */
static int64_t do_msg(struct kvm_hostcall_ctx *ctx, uint32_t call, const struct burh_hc_msg *a,
                      volatile struct burh_hc_block *blk, uint8_t *data)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int fd = host_fd(&ctx->fds, a->fd);
    if (fd < 0)
        return -EBADF;
    if (a->len > BURH_HC_MSG_MAX || a->addrlen > BURH_HC_SOCKADDR_MAX ||
        a->addrlen_cap > BURH_HC_SOCKADDR_MAX)
        return -EINVAL;
    if (call == BURH_HC_SENDTO) {
        if (a->flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE))
            return -EOPNOTSUPP;
        if (a->addrlen) {
            memset(&ss, 0, sizeof(ss));
            memcpy(&ss, data, a->addrlen);
            if (a->addrlen < sizeof(sa_family_t) ||
                (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
                return -EAFNOSUPPORT;
        }
        return result(sendto(fd, data + BURH_HC_MSG_DATA, a->len, a->flags | MSG_NOSIGNAL,
                             a->addrlen ? (struct sockaddr *)&ss : NULL, a->addrlen));
    }
    if (a->flags & ~(MSG_PEEK | MSG_DONTWAIT | MSG_WAITALL))
        return -EOPNOTSUPP;
    ssize_t n =
        recvfrom(fd, data + BURH_HC_MSG_DATA, a->len, a->flags, (struct sockaddr *)&ss, &sl);
    if (n < 0)
        return -errno;
    if (sl > sizeof(ss))
        sl = sizeof(ss);
    memcpy(data, &ss, sl < a->addrlen_cap ? sl : a->addrlen_cap);
    blk->args.msg.addrlen = ctx->hostile == KVM_HOSTILE_ADDRLEN ? 4096 : sl;
    return ctx->hostile == KVM_HOSTILE_RECV_LEN ? n + 1 : n;
}

/* FSTAT: the file type only. */
static int64_t do_fstat(struct kvm_hostcall_ctx *ctx, const struct burh_hc_fd_int *a)
{
    struct stat st;
    int fd = host_fd(&ctx->fds, a->fd);
    if (fd < 0)
        return -EBADF;
    if (fstat(fd, &st) != 0)
        return -errno;
    if (ctx->hostile == KVM_HOSTILE_FSTAT)
        return 0177777;
    switch (st.st_mode & S_IFMT) {
    case S_IFSOCK:
    case S_IFCHR:
    case S_IFIFO:
    case S_IFREG:
        return st.st_mode & S_IFMT;
    default: /* a directory or device behind stdio: the keep sees a character device */
        return S_IFCHR;
    }
}

static int64_t do_fd_int(struct kvm_hostcall_ctx *ctx, uint32_t call,
                         const struct burh_hc_fd_int *a)
{
    int fd = host_fd(&ctx->fds, a->fd);
    if (fd < 0)
        return -EBADF;
    switch (call) {
    case BURH_HC_LISTEN:
        return result(listen(fd, a->arg));
    case BURH_HC_SHUTDOWN:
        if (a->arg < SHUT_RD || a->arg > SHUT_RDWR)
            return -EINVAL;
        return result(shutdown(fd, a->arg));
    default: /* close: the keep's stdio stays open for keepldr's own reports */
        ctx->fds.host[a->fd] = -1;
        return fd > 2 ? result(close(fd)) : 0;
    }
}

static int64_t do_poll(struct kvm_hostcall_ctx *ctx, const struct burh_hc_poll *a, uint8_t *data)
{
    struct pollfd fds[BURH_HC_POLL_MAX];
    struct burh_hc_pollfd req[BURH_HC_POLL_MAX];
    if (a->nfds > BURH_HC_POLL_MAX)
        return -EINVAL;
    memcpy(req, data, a->nfds * sizeof(req[0]));
    int invalid = 0;
    for (uint32_t i = 0; i < a->nfds; i++) {
        fds[i].fd = req[i].fd < 0 ? -1 : host_fd(&ctx->fds, req[i].fd);
        fds[i].events = req[i].events;
        fds[i].revents = 0;
        invalid += req[i].fd >= 0 && fds[i].fd < 0;
    }
    int timeout = invalid ? 0 : a->timeout_ms;
    int n = poll(fds, a->nfds, timeout);
    if (n < 0)
        return -errno;
    for (uint32_t i = 0; i < a->nfds; i++) {
        if (req[i].fd >= 0 && fds[i].fd < 0) {
            fds[i].revents = POLLNVAL;
            n++;
        }
        if (ctx->hostile == KVM_HOSTILE_POLL)
            fds[i].revents |= POLLPRI | POLLRDBAND;
        struct burh_hc_pollfd out = {req[i].fd, req[i].events, fds[i].revents};
        memcpy(data + i * sizeof(out), &out, sizeof(out));
    }
    return n;
}

static int64_t do_fcntl(struct kvm_hostcall_ctx *ctx, const struct burh_hc_fcntl *a)
{
    int fd = host_fd(&ctx->fds, a->fd);
    if (fd < 0)
        return -EBADF;
    switch (a->cmd) {
    case F_GETFD:
    case F_GETFL:
        return result(fcntl(fd, a->cmd));
    case F_SETFD:
        return 0; /* host fds are always close-on-exec; the keep never execs */
    case F_SETFL: /* like Linux, other bits (access mode, ...) are ignored, not refused */
        return result(fcntl(fd, F_SETFL, (int)(a->arg & (O_NONBLOCK | O_APPEND))));
    default:
        return -EINVAL;
    }
}

static int64_t do_time(struct kvm_hostcall_ctx *ctx, uint32_t call, const struct burh_hc_time *a,
                       volatile struct burh_hc_block *blk)
{
    struct timespec ts;
    if (call == BURH_HC_NANOSLEEP) {
        if (a->sec < 0 || a->nsec < 0 || a->nsec >= 1000000000)
            return -EINVAL;
        ts.tv_sec = a->sec;
        ts.tv_nsec = a->nsec;
        return result(nanosleep(&ts, NULL));
    }
    if (a->clock_id != CLOCK_REALTIME && a->clock_id != CLOCK_MONOTONIC)
        return -EINVAL;
    if (clock_gettime(a->clock_id, &ts) != 0)
        return -errno;
    blk->args.time.sec = ts.tv_sec;
    blk->args.time.nsec = ctx->hostile == KVM_HOSTILE_CLOCK ? 2000000000 : ts.tv_nsec;
    return 0;
}

static int64_t do_rw(struct kvm_hostcall_ctx *ctx, uint32_t call, const struct burh_hc_rw *a,
                     uint8_t *data)
{
    int fd = host_fd(&ctx->fds, a->fd);
    if (fd < 0)
        return -EBADF;
    if (a->len > BURH_HC_DATA_MAX)
        return -EINVAL;
    if (call == BURH_HC_READ)
        return result(read(fd, data, a->len));
    int64_t ret = result(write(fd, data, a->len));
    return ctx->hostile == KVM_HOSTILE_WRITE_RET && ret >= 0 ? ret + 1 : ret;
}

static int64_t dispatch(struct kvm_hostcall_ctx *ctx, uint32_t call, const union burh_hc_args *a,
                        volatile struct burh_hc_block *blk, uint8_t *data)
{
    switch (call) {
    case BURH_HC_READ:
    case BURH_HC_WRITE:
        return do_rw(ctx, call, &a->rw, data);
    case BURH_HC_SOCKET:
        return do_socket(ctx, &a->socket);
    case BURH_HC_BIND:
    case BURH_HC_CONNECT:
        return do_addr(ctx, call, &a->addr, data);
    case BURH_HC_ACCEPT4:
    case BURH_HC_GETSOCKNAME:
        return do_name(ctx, call, &a->name, blk, data);
    case BURH_HC_SETSOCKOPT:
        return do_sockopt(ctx, &a->sockopt, data);
    case BURH_HC_GETSOCKOPT:
        return do_getsockopt(ctx, &a->sockopt, data);
    case BURH_HC_SENDTO:
    case BURH_HC_RECVFROM:
        return do_msg(ctx, call, &a->msg, blk, data);
    case BURH_HC_FSTAT:
        return do_fstat(ctx, &a->fd_int);
    case BURH_HC_LISTEN:
    case BURH_HC_SHUTDOWN:
    case BURH_HC_CLOSE:
        return do_fd_int(ctx, call, &a->fd_int);
    case BURH_HC_POLL:
        return do_poll(ctx, &a->poll, data);
    case BURH_HC_FCNTL:
        return do_fcntl(ctx, &a->fcntl);
    case BURH_HC_CLOCK_GETTIME:
    case BURH_HC_NANOSLEEP:
        return do_time(ctx, call, &a->time, blk);
    default:
        return -ENOSYS;
    }
}

int kvm_hostcall_handle(struct kvm_hostcall_ctx *ctx)
{
    volatile struct burh_hc_block *blk =
        kvm_guest_span(ctx->mem, BURH_GPA_HOSTCALL, sizeof(struct burh_hc_block));
    if (!blk)
        return -1;
    /* One copy of the request header; nothing below reads the guest's copy again. */
    uint32_t version = blk->abi_version, call = blk->call;
    union burh_hc_args args;
    memcpy(&args, (const void *)&blk->args, sizeof(args));
    ctx->calls++;
    int64_t ret;
    if (version != BURH_HOSTCALL_ABI_VERSION)
        ret = -EPROTO;
    else
        ret = dispatch(ctx, call, &args, blk, (uint8_t *)blk->data);
    if (ctx->hostile == KVM_HOSTILE_ERRNO_RANGE)
        ret = -HOSTILE_ERRNO;
    blk->ret = ret;
    return 0;
}
