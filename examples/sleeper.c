/* sleeper: sleeps argv[1] seconds (default 100) in one call; for --time-limit while blocked. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    unsigned secs = argc > 1 ? (unsigned)atoi(argv[1]) : 100;
    printf("sleeping %u s\n", secs);
    fflush(stdout);
    sleep(secs);
    printf("woke up\n");
    return 0;
}
