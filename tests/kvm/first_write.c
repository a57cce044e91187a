/* first_write.c: main's first act is a forwarded 1-byte write: the boot-time marker. */
#include <unistd.h>

int main(void)
{
    return write(1, "x", 1) == 1 ? 0 : 1;
}
