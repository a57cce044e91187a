/* echo: prints its arguments and its environment, sorted, to compare hosts exactly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    if (getenv("ECHO_ARGV0"))
        printf("argv[0]=[%s]\n", argv[0]);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=[%s]\n", i, argv[i]);
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = malloc((n + 1) * sizeof *env);
    memcpy(env, environ, n * sizeof *env);
    qsort(env, n, sizeof *env, cmp_str);
    printf("envc=%zu\n", n);
    for (size_t i = 0; i < n; i++)
        printf("env[%zu]=[%s]\n", i, env[i]);
    const char *v = getenv("BURH_GREETING");
    printf("BURH_GREETING=%s\n", v ? v : "(unset)");
    free(env);
    return 0;
}
