/* clock: sleeps and reads every clock, printing only facts that hold on any host. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double now(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return -1;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    double m0 = now(CLOCK_MONOTONIC), r0 = now(CLOCK_REALTIME);
    struct timespec req = {0, 50 * 1000 * 1000};
    int slept = nanosleep(&req, NULL);
    usleep(20000);
    double m1 = now(CLOCK_MONOTONIC);
    printf("nanosleep returned %d\n", slept);
    printf("monotonic advanced >= 70ms: %s\n", m1 - m0 >= 0.069 ? "yes" : "no");
    printf("monotonic advanced < 5s: %s\n", m1 - m0 < 5 ? "yes" : "no");
    printf("realtime after 2020: %s\n", r0 > 1577836800.0 ? "yes" : "no");
    printf("time() agrees: %s\n", (double)time(NULL) - r0 < 10 ? "yes" : "no");
    volatile double x = 0;
    for (int i = 0; i < 1000000; i++)
        x = x + i;
    printf("cpu clock readable: %s\n", now(CLOCK_PROCESS_CPUTIME_ID) >= 0 && x > 0 ? "yes" : "no");
    struct timespec res;
    printf("resolution positive: %s\n",
           clock_getres(CLOCK_MONOTONIC, &res) == 0 && (res.tv_sec || res.tv_nsec) ? "yes" : "no");
    return 0;
}
