/* httpserver: serves N HTTP/1.0 requests (or echoes N connections) on a pre-opened socket. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi/api.h>
#endif

/* The fd named `want` in FD_NAMES (colon-separated, entry i is fd i), or -1. */
static int fd_named(const char *want)
{
    const char *names = getenv("FD_NAMES"), *count = getenv("FD_COUNT");
    if (names == NULL || count == NULL)
        return -1;
    int fd = 0, n = atoi(count);
    size_t wlen = strlen(want);
    for (const char *p = names; fd < n; fd++) {
        const char *end = strchr(p, ':');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (len == wlen && memcmp(p, want, len) == 0)
            return fd;
        if (end == NULL)
            break;
        p = end + 1;
    }
    return -1;
}

static int accept_one(int lfd)
{
#ifdef __wasi__
    __wasi_fd_t conn;
    __wasi_errno_t e = __wasi_sock_accept((__wasi_fd_t)lfd, 0, &conn);
    if (e != 0) {
        errno = e;
        return -1;
    }
    return (int)conn;
#else
    return accept(lfd, NULL, NULL);
#endif
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Waits up to 10 s for `fd` to be readable; false on a timeout. */
static int wait_readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, 10000);
    return r == 1 && (p.revents & (POLLIN | POLLHUP));
}

static int serve_http(int c, int n)
{
    char req[4096];
    size_t got = 0;
    while (got < sizeof req - 1 && strstr(req, "\r\n\r\n") == NULL) {
        if (!wait_readable(c))
            return -1;
        ssize_t r = recv(c, req + got, sizeof req - 1 - got, 0);
        if (r <= 0)
            break;
        got += (size_t)r;
        req[got] = '\0';
    }
    req[got] = '\0';
    char *eol = strstr(req, "\r\n");
    if (eol != NULL)
        *eol = '\0';
    char body[4200], head[256];
    int blen = snprintf(body, sizeof body, "hello from burh, request %d: %s\n", n, req);
    int hlen = snprintf(head, sizeof head,
                        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                        "Connection: close\r\n\r\n",
                        blen);
    return write_all(c, head, (size_t)hlen) || write_all(c, body, (size_t)blen);
}

static int serve_echo(int c)
{
    char buf[8192];
    for (;;) {
        if (!wait_readable(c))
            return -1;
        ssize_t r = read(c, buf, sizeof buf);
        if (r < 0)
            return -1;
        if (r == 0)
            return 0;
        if (write_all(c, buf, (size_t)r) != 0)
            return -1;
    }
}

int main(int argc, char **argv)
{
    int count = argc > 1 ? atoi(argv[1]) : 1;
    int echo = argc > 2 && strcmp(argv[2], "echo") == 0;
    int lfd = fd_named(argc > 3 ? argv[3] : "LISTEN");
    if (lfd < 0) {
        fprintf(stderr, "httpserver: no LISTEN socket in FD_NAMES\n");
        return 2;
    }
    fprintf(stderr, "httpserver: serving %d on fd %d\n", count, lfd);
    for (int i = 1; i <= count; i++) {
        if (!wait_readable(lfd)) {
            fprintf(stderr, "httpserver: no client within 10 s\n");
            return 1;
        }
        int c = accept_one(lfd);
        if (c < 0) {
            perror("httpserver: accept");
            return 1;
        }
        int rc = echo ? serve_echo(c) : serve_http(c, i);
        shutdown(c, SHUT_RDWR);
        close(c);
        if (rc != 0) {
            fprintf(stderr, "httpserver: connection %d failed\n", i);
            return 1;
        }
    }
    printf("served %d\n", count);
    return 0;
}
