/* trap: a guest that hits `unreachable` after some output (burh must exit 125). */
#include <stdio.h>

int main(void)
{
    printf("about to trap\n");
    fflush(stdout);
    __builtin_trap();
}
