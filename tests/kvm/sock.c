/* sock.c: forwarded socket calls over loopback: a listener, a client, accept, poll, echo. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            perror(what);                                                                          \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

int main(void)
{
    int one = 1;
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK(lfd >= 0, "socket");
    CHECK(setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0, "setsockopt");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) == 0, "bind");
    CHECK(listen(lfd, 4) == 0, "listen");
    socklen_t len = sizeof(addr);
    CHECK(getsockname(lfd, (struct sockaddr *)&addr, &len) == 0, "getsockname");
    CHECK(len == sizeof(addr) && addr.sin_port != 0, "getsockname length");
    printf("listening on loopback (port chosen by the host)\n");

    int cfd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(cfd >= 0, "socket 2");
    CHECK(setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0, "nodelay");
    CHECK(connect(cfd, (struct sockaddr *)&addr, sizeof(addr)) == 0, "connect");
    struct pollfd pfd = {.fd = lfd, .events = POLLIN};
    CHECK(poll(&pfd, 1, 5000) == 1 && (pfd.revents & POLLIN), "poll listener");
    struct sockaddr_in peer;
    len = sizeof(peer);
    int afd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
    CHECK(afd >= 0, "accept4");
    CHECK(peer.sin_family == AF_INET && len == sizeof(peer), "peer address");
    printf("accepted a connection\n");

    CHECK(write(cfd, "ping", 4) == 4, "write");
    char buf[16] = {0};
    pfd = (struct pollfd){.fd = afd, .events = POLLIN};
    CHECK(poll(&pfd, 1, 5000) == 1, "poll accepted");
    CHECK(read(afd, buf, sizeof(buf)) == 4 && memcmp(buf, "ping", 4) == 0, "read");
    int flags = fcntl(afd, F_GETFL);
    CHECK(flags >= 0 && fcntl(afd, F_SETFL, flags | O_NONBLOCK) == 0, "fcntl");
    CHECK(read(afd, buf, sizeof(buf)) == -1, "nonblocking read must fail");
    CHECK(shutdown(cfd, SHUT_WR) == 0, "shutdown");
    CHECK(fcntl(afd, F_SETFL, flags) == 0, "fcntl 2");
    CHECK(read(afd, buf, sizeof(buf)) == 0, "read at EOF");
    printf("echo over loopback ok\n");
    CHECK(close(afd) == 0 && close(cfd) == 0 && close(lfd) == 0, "close");
    CHECK(close(lfd) == -1, "double close must fail");
    return 0;
}
