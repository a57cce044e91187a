/* localfd.c: pipes, eventfds, epoll, dup of stdio, futex and sysinfo as the kvm shim serves them
 * (run natively too: the output must be the same; `deadlock` only in a keep). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

static int check(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    int bad = 0, p[2];
    if (argc > 1 && strcmp(argv[1], "deadlock") == 0) { /* in a keep only: one thread waits */
        uint32_t w = 1;
        syscall(SYS_futex, &w, FUTEX_WAIT_PRIVATE, 1, NULL);
        return 0;
    }
    char buf[16];
    bad |= check("pipe2", pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
    bad |= check("empty pipe read EAGAIN", read(p[0], buf, 1) < 0 && errno == EAGAIN);
    bad |= check("pipe write", write(p[1], "xyz", 3) == 3);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int ev = eventfd(0, EFD_NONBLOCK);
    struct epoll_event e = {.events = EPOLLIN, .data.u64 = 77};
    bad |= check("epoll_ctl add pipe", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e) == 0);
    e.data.u64 = 88;
    bad |= check("epoll_ctl add eventfd", epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e) == 0);
    bad |= check("epoll_ctl add twice EEXIST",
                 epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e) < 0 && errno == EEXIST);
    struct epoll_event out[4];
    int n = epoll_wait(ep, out, 4, 1000);
    bad |= check("epoll_wait: pipe ready", n == 1 && out[0].data.u64 == 77);
    bad |= check("pipe read", read(p[0], buf, sizeof(buf)) == 3 && memcmp(buf, "xyz", 3) == 0);
    uint64_t one = 1, got = 0;
    bad |= check("eventfd write", write(ev, &one, 8) == 8);
    n = epoll_wait(ep, out, 4, 1000);
    bad |= check("epoll_wait: eventfd ready", n == 1 && out[0].data.u64 == 88);
    bad |= check("eventfd read", read(ev, &got, 8) == 8 && got == 1);
    bad |= check("epoll_wait timeout", epoll_wait(ep, out, 4, 20) == 0);
    /* a host socket in the same epoll set */
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
    socklen_t alen = sizeof(a);
    bind(s, (struct sockaddr *)&a, sizeof(a));
    getsockname(s, (struct sockaddr *)&a, &alen);
    e.events = EPOLLIN;
    e.data.u64 = 99;
    bad |= check("epoll_ctl add socket", epoll_ctl(ep, EPOLL_CTL_ADD, s, &e) == 0);
    int c = socket(AF_INET, SOCK_DGRAM, 0);
    connect(c, (struct sockaddr *)&a, sizeof(a));
    bad |= check("udp send", write(c, "d", 1) == 1);
    n = epoll_wait(ep, out, 4, 2000);
    bad |= check("epoll_wait: socket ready", n == 1 && out[0].data.u64 == 99);
    bad |= check("epoll_ctl del", epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL) == 0);
    bad |= check("close pipe writer", close(p[1]) == 0);
    bad |= check("pipe EOF", read(p[0], buf, 1) == 0);
    int d = dup(2);
    bad |= check("dup(2) writes to stderr", d >= 0 && write(d, "dup ok\n", 7) == 7);
    uint32_t word = 5;
    bad |= check("futex wait on changed value EAGAIN",
                 syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 6, NULL) < 0 && errno == EAGAIN);
    bad |= check("futex wake", syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1) == 0);
    struct sysinfo si;
    bad |= check("sysinfo", sysinfo(&si) == 0 && si.totalram > 0 && si.mem_unit >= 1);
    close(d);
    close(ep);
    close(ev);
    close(p[0]);
    return bad;
}
