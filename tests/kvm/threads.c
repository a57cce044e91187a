/* threads.c: pthreads in a kvm keep (cooperative threads in the shim): create, mutex, condition
 * variable, join, thread-local storage, vector registers kept per thread. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int stage;
static __thread int mine = 7;

static void *worker(void *arg)
{
    int id = *(int *)arg;
    mine = 100 + id; /* thread-local: the main thread must still see 7 */
    volatile double x = 1.5 * id;
    pthread_mutex_lock(&lock);
    while (stage < id)
        pthread_cond_wait(&changed, &lock);
    stage++;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
    usleep(1000);
    return (void *)(long)(mine + (int)(x * 2));
}

int main(void)
{
    pthread_t t[3];
    int ids[3] = {0, 1, 2};
    volatile double keep = 2.25; /* lives across the switches in a vector register or memory */
    for (int i = 0; i < 3; i++)
        if (pthread_create(&t[i], NULL, worker, &ids[i]) != 0) {
            printf("pthread_create failed\n");
            return 1;
        }
    long sum = 0;
    for (int i = 0; i < 3; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (long)r;
    }
    printf("threads done: stage %d, sum %ld, main tls %d, keep %.2f\n", stage, sum, mine, keep);
    return stage == 3 && sum == 100 + 101 + 102 + 0 + 3 + 6 && mine == 7 ? 0 : 1;
}
