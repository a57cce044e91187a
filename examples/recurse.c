/* recurse: unbounded recursion; burh must end it with "call stack exhausted", not crash. */
#include <stdio.h>

static int down(int n);
/* Called through a volatile pointer so the compiler cannot turn the recursion into a loop. */
static int (*volatile again)(int) = down;

static int down(int n)
{
    return again(n + 1) + 1;
}

int main(void)
{
    printf("recursing\n");
    fflush(stdout);
    return down(0);
}
