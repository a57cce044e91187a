/* sort: qsort and bsearch over integers, strings and records. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct record {
    char name[16];
    int32_t age;
    double score;
} record;

static int cmp_int(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* By score descending, then name: a total order, so qsort's output is fully determined. */
static int cmp_record(const void *a, const void *b)
{
    const record *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    if (x->age != y->age)
        return x->age - y->age;
    return strcmp(x->name, y->name);
}

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

int main(void)
{
    enum { N = 200000 };
    int32_t *nums = malloc(N * sizeof *nums);
    for (int i = 0; i < N; i++)
        nums[i] = (int32_t)(rng() % 2000000) - 1000000;
    qsort(nums, N, sizeof *nums, cmp_int);
    int ok = 1;
    int64_t sum = 0;
    for (int i = 0; i < N; i++) {
        if (i && nums[i - 1] > nums[i])
            ok = 0;
        sum += nums[i];
    }
    printf("ints: sorted=%d min=%d max=%d median=%d sum=%lld\n", ok, nums[0], nums[N - 1],
           nums[N / 2], (long long)sum);
    int hits = 0;
    for (int32_t k = -1000000; k < 1000000; k += 997)
        hits += bsearch(&k, nums, N, sizeof *nums, cmp_int) != NULL;
    printf("bsearch hits: %d\n", hits);
    free(nums);

    static const char *words[] = {"pear", "apple", "fig",   "banana", "cherry",  "kiwi",
                                  "date", "grape", "lemon", "mango",  "apricot", "lime"};
    enum { W = sizeof words / sizeof words[0] };
    char *copy[W];
    for (int i = 0; i < W; i++)
        copy[i] = (char *)words[i];
    qsort(copy, W, sizeof copy[0], cmp_str);
    for (int i = 0; i < W; i++)
        printf("%s%s", copy[i], i + 1 < W ? " " : "\n");

    enum { R = 5000 };
    record *recs = malloc(R * sizeof *recs);
    for (int i = 0; i < R; i++) {
        snprintf(recs[i].name, sizeof recs[i].name, "n%05u", rng() % 100000);
        recs[i].age = (int32_t)(rng() % 90);
        recs[i].score = (double)(rng() % 1000) / 10.0;
    }
    qsort(recs, R, sizeof *recs, cmp_record);
    for (int i = 0; i < 5; i++)
        printf("top %d: %s age %d score %.1f\n", i, recs[i].name, recs[i].age, recs[i].score);
    printf("last: %s age %d score %.1f\n", recs[R - 1].name, recs[R - 1].age, recs[R - 1].score);
    free(recs);
    return 0;
}
