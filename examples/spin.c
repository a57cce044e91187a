/* spin: never ends on its own; for burh's --time-limit. */
#include <stdio.h>

volatile unsigned long counter;

int main(void)
{
    printf("spinning\n");
    fflush(stdout);
    for (;;)
        counter++;
}
