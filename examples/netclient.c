/* netclient: sends argv[1] on the pre-opened CONNECT socket, then prints the whole reply. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The fd FD_NAMES calls `want` (entry i is fd i), or -1. */
static int fd_named(const char *want)
{
    const char *names = getenv("FD_NAMES");
    int fd = 0;
    size_t wlen = strlen(want);
    for (const char *p = names; p != NULL; fd++) {
        const char *end = strchr(p, ':');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (len == wlen && memcmp(p, want, len) == 0)
            return fd;
        p = end != NULL ? end + 1 : NULL;
    }
    return -1;
}

int main(int argc, char **argv)
{
    int s = fd_named("CONNECT");
    if (s < 0 || argc < 2) {
        fprintf(stderr, "netclient: need a CONNECT socket and a message\n");
        return 2;
    }
    size_t len = strlen(argv[1]);
    if (send(s, argv[1], len, 0) != (ssize_t)len || shutdown(s, SHUT_WR) != 0) {
        perror("netclient: send");
        return 1;
    }
    char buf[4096];
    for (;;) {
        struct pollfd p = {.fd = s, .events = POLLIN};
        if (poll(&p, 1, 10000) != 1) {
            fprintf(stderr, "netclient: no reply within 10 s\n");
            return 1;
        }
        ssize_t n = recv(s, buf, sizeof buf, 0);
        if (n < 0) {
            perror("netclient: recv");
            return 1;
        }
        if (n == 0)
            break;
        fwrite(buf, 1, (size_t)n, stdout);
    }
    printf("\n[end of reply]\n");
    return 0;
}
