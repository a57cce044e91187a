/* upper: copies stdin to stdout in upper case, counting lines and bytes on stderr. */
#include <ctype.h>
#include <stdio.h>

int main(void)
{
    long bytes = 0, lines = 0;
    int c;
    while ((c = getchar()) != EOF) {
        bytes++;
        lines += c == '\n';
        putchar(toupper(c));
    }
    fprintf(stderr, "%ld lines, %ld bytes\n", lines, bytes);
    return 0;
}
