/* WASI sock_* functions on pre-opened host stream sockets. */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wasi/calls.h"

#define WASI_RIFLAG_PEEK      0x1u
#define WASI_RIFLAG_WAITALL   0x2u
#define WASI_ROFLAG_TRUNCATED 0x1u
#define WASI_SDFLAG_RD        0x1u
#define WASI_SDFLAG_WR        0x2u

/* A socket descriptor with `need`: EBADF, ENOTSOCK, ENOTCAPABLE or success. The type is
 * checked before the rights so a file gets ENOTSOCK, as the WASI test suite expects. */
static uint16_t sock_get(wasi_call *c, uint32_t fd, uint64_t need, wasi_fd **out)
{
    wasi_fd *e;
    uint16_t werr = wasi_fd_get(c->w, fd, 0, &e);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (e->filetype != WASI_FILETYPE_SOCKET_STREAM || e->ops != &wasi_host_socket_fs)
        return WASI_ENOTSOCK;
    return wasi_fd_get(c->w, fd, need, out);
}

static uint16_t sock_accept(wasi_call *c, const bw_value *args)
{
    wasi_fd *e;
    uint16_t werr = sock_get(c, ARG32(0), WASI_R_SOCK_ACCEPT, &e);
    if (werr != WASI_ESUCCESS)
        return werr;
    if ((ARG32(1) & ~WASI_FDFLAG_NONBLOCK) != 0)
        return WASI_EINVAL;
    if (wasi_mem(c, ARG32(2), 4) == NULL)
        return WASI_EFAULT;
    int flags = SOCK_CLOEXEC | ((ARG32(1) & WASI_FDFLAG_NONBLOCK) ? SOCK_NONBLOCK : 0);
    int conn = accept4(e->node.fd, NULL, NULL, flags);
    if (conn < 0)
        return wasi_errno_from_host(errno);
    wasi_fd ne;
    memset(&ne, 0, sizeof ne);
    ne.ops = &wasi_host_socket_fs;
    ne.node.fd = conn;
    ne.filetype = WASI_FILETYPE_SOCKET_STREAM;
    ne.rights_base = wasi_socket_rights(false);
    uint32_t fd;
    werr = wasi_fd_insert(c->w, &ne, &fd);
    if (werr != WASI_ESUCCESS) {
        close(conn);
        return werr;
    }
    return wasi_store_u32(c, ARG32(2), fd);
}

static uint16_t sock_recv(wasi_call *c, const bw_value *args)
{
    wasi_fd *e;
    uint16_t werr = sock_get(c, ARG32(0), WASI_R_FD_READ, &e);
    if (werr != WASI_ESUCCESS)
        return werr;
    uint32_t riflags = ARG32(3);
    if ((riflags & ~(WASI_RIFLAG_PEEK | WASI_RIFLAG_WAITALL)) != 0)
        return WASI_EINVAL;
    if (wasi_mem(c, ARG32(4), 4) == NULL || wasi_mem(c, ARG32(5), 2) == NULL)
        return WASI_EFAULT;
    struct iovec *iov;
    werr = wasi_iovs_load(c, ARG32(1), ARG32(2), &iov);
    if (werr != WASI_ESUCCESS)
        return werr;
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = iov;
    msg.msg_iovlen = ARG32(2);
    int flags = ((riflags & WASI_RIFLAG_PEEK) ? MSG_PEEK : 0) |
                ((riflags & WASI_RIFLAG_WAITALL) ? MSG_WAITALL : 0);
    ssize_t n = recvmsg(e->node.fd, &msg, flags);
    int saved = errno;
    free(iov);
    if (n < 0)
        return wasi_errno_from_host(saved);
    uint8_t *roflags = wasi_mem(c, ARG32(5), 2);
    wasi_put_u16(roflags, (msg.msg_flags & MSG_TRUNC) ? WASI_ROFLAG_TRUNCATED : 0);
    return wasi_store_u32(c, ARG32(4), (uint32_t)n);
}

static uint16_t sock_send(wasi_call *c, const bw_value *args)
{
    wasi_fd *e;
    uint16_t werr = sock_get(c, ARG32(0), WASI_R_FD_WRITE, &e);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (ARG32(3) != 0) /* no siflags are defined */
        return WASI_EINVAL;
    if (wasi_mem(c, ARG32(4), 4) == NULL)
        return WASI_EFAULT;
    struct iovec *iov;
    werr = wasi_iovs_load(c, ARG32(1), ARG32(2), &iov);
    if (werr != WASI_ESUCCESS)
        return werr;
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = iov;
    msg.msg_iovlen = ARG32(2);
    /* A peer that went away is EPIPE for the guest, never SIGPIPE for the host. */
    ssize_t n = sendmsg(e->node.fd, &msg, MSG_NOSIGNAL);
    int saved = errno;
    free(iov);
    if (n < 0)
        return wasi_errno_from_host(saved);
    return wasi_store_u32(c, ARG32(4), (uint32_t)n);
}

static uint16_t sock_shutdown(wasi_call *c, const bw_value *args)
{
    wasi_fd *e;
    uint16_t werr = sock_get(c, ARG32(0), WASI_R_SOCK_SHUTDOWN, &e);
    if (werr != WASI_ESUCCESS)
        return werr;
    static const int how[] = {-1, SHUT_RD, SHUT_WR, SHUT_RDWR};
    uint32_t sd = ARG32(1);
    if (sd == 0 || sd > 3)
        return WASI_EINVAL;
    return shutdown(e->node.fd, how[sd]) == 0 ? WASI_ESUCCESS : wasi_errno_from_host(errno);
}

const wasi_def wasi_defs_sock[] = {
    {"sock_accept", "iii", "i", sock_accept},
    {"sock_recv", "iiiiii", "i", sock_recv},
    {"sock_send", "iiiii", "i", sock_send},
    {"sock_shutdown", "ii", "i", sock_shutdown},
    {NULL, NULL, NULL, NULL},
};
