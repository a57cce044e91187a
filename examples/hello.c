/* hello: the smallest WASI program burh runs. */
#include <stdio.h>

int main(void)
{
    printf("Hello from WebAssembly, run by burh!\n");
    return 0;
}
