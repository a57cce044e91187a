/* fake-wasmldr.c: TEST DOUBLE for burh-wasmldr (never shipped): speaks only the status protocol.
 *
 * `fake-wasmldr --backend B --nonce HEX --listen ADDR:PORT --status-fd N` listens on ADDR:PORT,
 * writes a "ready" record with the bound port, and answers every connection with a fixed
 * HTTP 200 whose body is "fake-wasmldr nonce=HEX uid=U". The first nonce byte picks a
 * behaviour so tests can drive failures through the real keepmgr and keepldr:
 *   e1: ready, then exit with the status in the second nonce byte after 300 ms
 *   e2: never ready (start-up deadline)       e3: garbage on the status fd
 *   e4: ready, then SIGSEGV after 300 ms      e5: ready, then fork() (the sandbox must kill it)
 *   e6: ready, then try to open a file for writing (refused by the sandbox)
 *   anything else: ready, serve until killed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "burh/keep_proto.h"

static const char *nonce = "", *listen_at = "127.0.0.1:0";
static int status_fd = -1;
static volatile int *volatile bad_pointer;

static void send_record(const burh_keep_status *s)
{
    uint8_t rec[BURH_PROTO_STATUS_MAX];
    size_t len;
    if (burh_proto_encode_status(s, rec, sizeof(rec), &len) != BURH_PROTO_OK ||
        write(status_fd, rec, len) != (ssize_t)len)
        exit(3);
}

static int listen_socket(uint16_t *port)
{
    char host[64];
    const char *colon = strrchr(listen_at, ':');
    if (!colon || (size_t)(colon - listen_at) >= sizeof(host))
        exit(2);
    memcpy(host, listen_at, (size_t)(colon - listen_at));
    host[colon - listen_at] = '\0';
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1 ||
        bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 16) != 0)
        exit(4);
    socklen_t len = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    return fd;
}

static void serve_one(int lfd)
{
    int c = accept(lfd, NULL, NULL);
    if (c < 0)
        return;
    char req[2048], body[256], resp[512];
    struct pollfd p = {c, POLLIN, 0};
    if (poll(&p, 1, 1000) > 0 && read(c, req, sizeof(req)) < 0)
        req[0] = '\0';
    int n = snprintf(body, sizeof(body), "fake-wasmldr nonce=%s uid=%d\n", nonce, (int)getuid());
    int m =
        snprintf(resp, sizeof(resp),
                 "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", n, body);
    if (write(c, resp, (size_t)m) < 0)
        m = 0;
    close(c);
}

static void misbehave(int mode)
{
    struct timespec t = {0, 300000000};
    nanosleep(&t, NULL);
    if (mode == 0xe1) {
        unsigned v = 0;
        sscanf(nonce + 2, "%2x", &v);
        burh_keep_status s = {.event = BURH_STATUS_EXIT};
        snprintf(s.reason, sizeof(s.reason), "fake workload exited with %u", v);
        send_record(&s);
        exit((int)v);
    }
    if (mode == 0xe4)
        *bad_pointer = 1; /* a real fault: PID 1 of a namespace ignores raise() */
    if (mode == 0xe5)
        (void)fork(); /* the seccomp filter ends the keep here */
    if (mode == 0xe6) {
        int fd = open("/tmp/fake-wasmldr-escape", O_WRONLY | O_CREAT, 0600);
        exit(fd >= 0 ? 99 : 0);
    }
}

int main(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--nonce") == 0)
            nonce = argv[i + 1];
        else if (strcmp(argv[i], "--listen") == 0)
            listen_at = argv[i + 1];
        else if (strcmp(argv[i], "--status-fd") == 0)
            status_fd = atoi(argv[i + 1]);
    }
    unsigned mode = 0;
    if (status_fd < 0 || sscanf(nonce, "%2x", &mode) != 1)
        return 2;
    if (mode == 0xe3) {
        if (write(status_fd, "\xff\xff garbage", 10) < 0)
            return 3;
        pause();
    }
    uint16_t port;
    int lfd = listen_socket(&port);
    if (mode == 0xe2)
        for (;;)
            pause();
    send_record(&(burh_keep_status){.event = BURH_STATUS_READY, .port = port});
    if (mode >= 0xe1 && mode <= 0xe6)
        misbehave((int)mode);
    for (;;)
        serve_one(lfd);
}
