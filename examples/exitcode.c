/* exitcode: exits with the code given as argv[1], after atexit handlers and buffered output. */
#include <stdio.h>
#include <stdlib.h>

static void goodbye(void)
{
    printf("atexit handler ran\n");
}

int main(int argc, char **argv)
{
    atexit(goodbye);
    int code = argc > 1 ? atoi(argv[1]) : 0;
    printf("exiting with %d (buffered, no newline flush yet)", code);
    if (argc > 2)
        exit(code); /* through exit(): proc_exit */
    return code;    /* returned from main: also proc_exit */
}
