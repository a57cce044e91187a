/* spin.c: a runaway loop that makes no syscalls; only the wall-time limit can stop it. */
int main(void)
{
    volatile unsigned long n = 0;
    for (;;)
        n++;
}
