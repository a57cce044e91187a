/* strings: the C library's string functions on ordinary and awkward inputs. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char buf[256];
    const char *text = "The quick brown fox jumps over the lazy dog";
    printf("len=%zu\n", strlen(text));
    printf("strstr=%s\n", strstr(text, "fox"));
    printf("strchr=%s strrchr=%s\n", strchr(text, 'o'), strrchr(text, 'o'));
    printf("strspn=%zu strcspn=%zu\n", strspn(text, "Teh "), strcspn(text, "xyz"));
    printf("cmp=%d,%d,%d ncmp=%d casecmp=%d\n", strcmp("abc", "abd") < 0, strcmp("b", "a") > 0,
           strcmp("same", "same"), strncmp("abcdef", "abcxyz", 3), strcasecmp("HeLLo", "hello"));

    strcpy(buf, text);
    char *save = NULL;
    int n = 0;
    for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        printf("%s%d:%s", n ? " " : "tokens ", n + 1, tok);
        n++;
    }
    printf("\n");

    for (size_t i = 0; text[i]; i++)
        buf[i] = (char)toupper((unsigned char)text[i]);
    buf[strlen(text)] = '\0';
    printf("upper=%s\n", buf);

    memset(buf, 0, sizeof buf);
    memcpy(buf, "0123456789", 10);
    memmove(buf + 3, buf, 7);
    printf("memmove=%s\n", buf);
    printf("memcmp=%d memchr=%s\n", memcmp("abc", "abd", 3) < 0, (char *)memchr(text, 'j', 43));

    printf("strtol: %ld %ld %ld %lu\n", strtol("-12345", NULL, 10), strtol("ff", NULL, 16),
           strtol("0777", NULL, 0), strtoul("4294967295", NULL, 10));
    char *end;
    long long big = strtoll("9223372036854775807 rest", &end, 10);
    printf("strtoll=%lld rest='%s' atoi=%d\n", big, end, atoi("  -42abc"));

    snprintf(buf, sizeof buf, "[%5d|%-5d|%05d|%x|%X|%o|%#x|%c|%10.3s|%%]", 42, 42, 42, 255, 255, 8,
             255, 'Z', "abcdef");
    printf("snprintf=%s\n", buf);
    int w = snprintf(buf, 8, "%s", "truncated output");
    printf("truncated=%s would=%d\n", buf, w);

    char *dup = strdup(text);
    size_t dl = strlen(dup);
    for (size_t i = 0; i < dl / 2; i++) {
        char t = dup[i];
        dup[i] = dup[dl - 1 - i];
        dup[dl - 1 - i] = t;
    }
    printf("reversed=%s\n", dup);
    free(dup);

    char big_s[10001];
    for (int i = 0; i < 10000; i++)
        big_s[i] = (char)('a' + i % 26);
    big_s[10000] = '\0';
    printf("long: len=%zu last=%s\n", strlen(big_s), big_s + 9990);
    return 0;
}
