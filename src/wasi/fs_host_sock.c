/* Writes to host stream sockets for the WASI host file system (never raising SIGPIPE). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "wasi/wasi_impl.h"

/* Sockets: as host_writev, but a peer that went away is EPIPE for the guest, never a
 * SIGPIPE that would end the host process. */
uint16_t wasi_host_sendv(wasi_node n, struct iovec *iov, int iovcnt, size_t *done)
{
    size_t total = 0;
    int i = 0;
    for (;;) {
        while (i < iovcnt && iov[i].iov_len == 0)
            i++;
        if (i == iovcnt)
            break;
        struct msghdr msg;
        memset(&msg, 0, sizeof msg);
        msg.msg_iov = iov + i;
        msg.msg_iovlen = (size_t)(iovcnt - i);
        ssize_t r = sendmsg(n.fd, &msg, MSG_NOSIGNAL);
        if (r <= 0) {
            *done = total;
            return total > 0 || r == 0 ? WASI_ESUCCESS : wasi_errno_from_host(errno);
        }
        total += (size_t)r;
        for (size_t left = (size_t)r; left > 0;) {
            size_t step = left < iov[i].iov_len ? left : iov[i].iov_len;
            iov[i].iov_base = (uint8_t *)iov[i].iov_base + step;
            iov[i].iov_len -= step;
            left -= step;
            if (iov[i].iov_len == 0)
                i++;
        }
    }
    *done = total;
    return WASI_ESUCCESS;
}
