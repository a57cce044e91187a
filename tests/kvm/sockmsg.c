/* sockmsg.c: sendto/recvfrom, sendmsg/recvmsg (scatter-gather), getsockopt and fstat on
 * forwarded descriptors, over loopback UDP and TCP; output must match a native run. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static int bound_udp(struct sockaddr_in *addr)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    socklen_t len = sizeof(*addr);
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof(*addr)) != 0 ||
        getsockname(fd, (struct sockaddr *)addr, &len) != 0) {
        perror("udp");
        return -1;
    }
    return fd;
}

static void datagrams(void)
{
    struct sockaddr_in a, b, from;
    int fa = bound_udp(&a), fb = bound_udp(&b);
    char buf[64];
    socklen_t fromlen = sizeof(from);
    ssize_t n = sendto(fa, "ping", 4, 0, (struct sockaddr *)&b, sizeof(b));
    printf("sendto: %zd\n", n);
    n = recvfrom(fb, buf, 4, 0, (struct sockaddr *)&from, &fromlen);
    printf("recvfrom: %zd '%.*s' from the sender: %d, addrlen %u\n", n, (int)n, buf,
           from.sin_port == a.sin_port, (unsigned)fromlen);

    struct iovec out[3] = {{"scat", 4}, {"ter-", 4}, {"gather", 6}};
    struct msghdr m = {.msg_name = &b, .msg_namelen = sizeof(b), .msg_iov = out, .msg_iovlen = 3};
    printf("sendmsg: %zd\n", sendmsg(fa, &m, 0));
    char p1[5] = {0}, p2[16] = {0};
    struct iovec in[2] = {{p1, 4}, {p2, sizeof(p2) - 1}};
    struct sockaddr_in src;
    struct msghdr r = {
        .msg_name = &src, .msg_namelen = sizeof(src), .msg_iov = in, .msg_iovlen = 2};
    n = recvmsg(fb, &r, 0);
    printf("recvmsg: %zd '%s' + '%s', namelen %u, controllen %zu, from the sender: %d\n", n, p1, p2,
           (unsigned)r.msg_namelen, r.msg_controllen, src.sin_port == a.sin_port);

    r.msg_iovlen = 5000;
    n = recvmsg(fb, &r, 0);
    printf("recvmsg with 5000 iovecs: %zd errno %d\n", n, errno);
    sendto(fa, "x", 1, 0, (struct sockaddr *)&b, sizeof(b));
    struct iovec bad = {(void *)16, 8};
    r.msg_iov = &bad;
    r.msg_iovlen = 1;
    n = recvmsg(fb, &r, 0);
    printf("recvmsg into a bad buffer: %zd errno %d\n", n, errno);
    recv(fb, buf, 8, MSG_DONTWAIT); /* Linux drops the datagram on EFAULT; the shim keeps it */
    n = recv(fb, buf, 8, MSG_DONTWAIT);
    printf("recv on an empty socket: %zd errno %d\n", n, errno);

    int type = 0, err = -1;
    socklen_t len = sizeof(type);
    getsockopt(fa, SOL_SOCKET, SO_TYPE, &type, &len);
    printf("getsockopt SO_TYPE: %d len %u\n", type, (unsigned)len);
    len = sizeof(err);
    getsockopt(fa, SOL_SOCKET, SO_ERROR, &err, &len);
    printf("getsockopt SO_ERROR: %d len %u\n", err, (unsigned)len);
    close(fa);
    close(fb);
}

static void stream_options(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, v = 0;
    socklen_t len = sizeof(v);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len);
    printf("getsockopt TCP_NODELAY: %d len %u\n", v != 0, (unsigned)len);
    len = 2; /* shorter than the value: cut to the room */
    v = 0;
    int rc = getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len);
    printf("short getsockopt: %d len %u\n", rc, (unsigned)len);
    struct stat st = {0};
    rc = fstat(fd, &st);
    printf("fstat socket: %d S_ISSOCK %d\n", rc, S_ISSOCK(st.st_mode));
    close(fd);
}

static void stats(void)
{
    struct stat st = {0};
    int rc = fstat(0, &st);
    printf("fstat stdin: %d S_ISCHR %d\n", rc, S_ISCHR(st.st_mode));
    rc = fstat(1, &st);
    printf("fstat stdout: %d S_ISREG %d\n", rc, S_ISREG(st.st_mode));
    int p[2];
    if (pipe(p) == 0) {
        rc = fstat(p[0], &st);
        printf("fstat pipe: %d S_ISFIFO %d\n", rc, S_ISFIFO(st.st_mode));
        close(p[0]);
        close(p[1]);
    }
    rc = stat("/no/such/file", &st);
    printf("stat of a path: %d errno %d\n", rc, errno);
    rc = fstat(77, &st);
    printf("fstat of a closed fd: %d errno %d\n", rc, errno);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    datagrams();
    stream_options();
    stats();
    return 0;
}
