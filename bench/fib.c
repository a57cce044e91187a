/* Benchmark: call-heavy recursion (naive Fibonacci and Ackermann). */
#include "bench.h"

static __attribute__((noinline)) uint32_t fib(uint32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static __attribute__((noinline)) uint32_t ack(uint32_t m, uint32_t n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

int main(int argc, char **argv)
{
    uint32_t n = (uint32_t)bench_scale(argc, argv, 38);
    uint64_t sum = fib(n);
    sum = sum * 31 + ack(2, 2000);
    bench_report("fib", sum);
    return 0;
}
