/* nullderef.c: a ring-3 null pointer write; the keep must end with a fault report. */
#include <stdio.h>

int main(void)
{
    volatile int *p = NULL;
    puts("about to write through a null pointer");
    fflush(stdout);
    *p = 42;
    puts("still alive: the write did not fault");
    return 0;
}
