/* pipewait.c: blocking pipe I/O between threads, poll/ppoll over pipes and timeouts, and
 * clock_getres, as the kvm shim serves them; the output must equal a native run's.
 * `pipewait deadlock` writes into a full blocking pipe with one thread (a reported deadlock). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define TOTAL (1u << 20)

static int g_pipe[2];

static int check(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    return !ok;
}

static uint8_t byte_at(uint32_t i)
{
    return (uint8_t)(i * 7u + (i >> 9));
}

/* Writes TOTAL bytes in writes of assorted sizes (some larger than the pipe holds). */
static void *writer(void *arg)
{
    static uint8_t buf[200000];
    static const uint32_t sizes[] = {1, 3000, 4096, 70000, 200000, 65536, 17};
    uint32_t done = 0;
    (void)arg;
    for (unsigned k = 0; done < TOTAL; k++) {
        uint32_t n = sizes[k % 7];
        if (n > TOTAL - done)
            n = TOTAL - done;
        for (uint32_t i = 0; i < n; i++)
            buf[i] = byte_at(done + i);
        ssize_t w = write(g_pipe[1], buf, n);
        if (w != (ssize_t)n) {
            printf("write of %u gave %zd\n", n, w);
            return (void *)1;
        }
        done += n;
    }
    close(g_pipe[1]);
    return NULL;
}

/* The reader blocks on the empty pipe first (the writer has not run yet) and then drains it. */
static int pipe_between_threads(void)
{
    static uint8_t buf[10000];
    pthread_t t;
    uint32_t got = 0, bad = 0;
    if (pipe(g_pipe) != 0 || pthread_create(&t, NULL, writer, NULL) != 0)
        return check("pipe and thread", 0);
    for (;;) {
        ssize_t n = read(g_pipe[0], buf, sizeof(buf));
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            bad += buf[i] != byte_at(got + (uint32_t)i);
        got += (uint32_t)n;
    }
    void *ret;
    pthread_join(t, &ret);
    close(g_pipe[0]);
    int fail = check("1 MiB through a blocking pipe, in order", got == TOTAL && bad == 0);
    return fail | check("writer saw only full writes", ret == NULL);
}

static double elapsed_ms(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

static int polls(void)
{
    int p[2], fail = 0;
    struct timespec t0, tmo = {0, 80 * 1000000};
    if (pipe2(p, O_NONBLOCK) != 0)
        return check("pipe2", 0);
    struct pollfd fds[3] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {900, POLLIN, 0}};
    fail |= check("poll: writable end, invalid fd", poll(fds, 3, 0) == 2 && fds[0].revents == 0 &&
                                                        fds[1].revents == POLLOUT &&
                                                        fds[2].revents == POLLNVAL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int r = ppoll(fds, 1, &tmo, NULL);
    fail |= check("ppoll on an empty pipe times out after 80 ms", r == 0 && elapsed_ms(&t0) >= 79);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fail |=
        check("ppoll without fds sleeps", ppoll(NULL, 0, &tmo, NULL) == 0 && elapsed_ms(&t0) >= 79);
    fail |= check("write", write(p[1], "x", 1) == 1);
    fail |= check("ppoll: readable", ppoll(fds, 1, NULL, NULL) == 1 && fds[0].revents == POLLIN);
    sigset_t mask;
    sigemptyset(&mask);
    fail |= check("ppoll with a signal mask", ppoll(fds, 1, &tmo, &mask) == 1);
    struct timespec bad = {0, 1000000000};
    fail |= check("ppoll: bad timeout EINVAL", ppoll(fds, 1, &bad, NULL) < 0 && errno == EINVAL);
    fail |= check("ppoll: bad sigset size EINVAL",
                  syscall(SYS_ppoll, fds, 1, &tmo, &mask, 4) < 0 && errno == EINVAL);
    fail |= check("ppoll: bad timeout pointer EFAULT",
                  syscall(SYS_ppoll, fds, 1, (void *)8, NULL, 8) < 0 && errno == EFAULT);
    close(p[1]);
    fds[0].revents = 0;
    fail |= check("poll: hang-up after the writer closed",
                  poll(fds, 1, -1) == 1 && (fds[0].revents & POLLHUP));
    close(p[0]);
    return fail;
}

static int clocks(void)
{
    struct timespec res;
    int fail = 0;
    fail |=
        check("clock_getres realtime", clock_getres(CLOCK_REALTIME, &res) == 0 && res.tv_sec == 0 &&
                                           res.tv_nsec > 0 && res.tv_nsec <= 1000000);
    fail |= check("clock_getres monotonic", clock_getres(CLOCK_MONOTONIC, &res) == 0 &&
                                                res.tv_sec == 0 && res.tv_nsec > 0 &&
                                                res.tv_nsec <= 1000000);
    fail |= check("clock_getres without a result", clock_getres(CLOCK_MONOTONIC, NULL) == 0);
    fail |= check("clock_getres of a bad clock EINVAL",
                  syscall(SYS_clock_getres, 99, &res) < 0 && errno == EINVAL);
    fail |= check("clock_getres to a bad pointer EFAULT",
                  syscall(SYS_clock_getres, CLOCK_MONOTONIC, (void *)8) < 0 && errno == EFAULT);
    return fail;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "deadlock") == 0) {
        static char big[70000];
        int p[2];
        if (pipe(p) != 0)
            return 1;
        write(p[1], big, sizeof(big)); /* natively this blocks forever */
        return 0;
    }
    int fail = pipe_between_threads();
    fail |= polls();
    fail |= clocks();
    return fail;
}
