/* floats: printf and strtod of doubles in many formats, compared byte-for-byte with native. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const double values[] = {
    0.0,
    -0.0,
    1.0,
    -1.5,
    0.1,
    0.2 + 0.1,
    1.0 / 3.0,
    2.0 / 3.0,
    3.141592653589793,
    2.718281828459045,
    1e-5,
    123456789.125,
    9007199254740993.0,
    1e21,
    1e22,
    1e100,
    1.7976931348623157e308,
    2.2250738585072014e-308,
    5e-324,
    123.456e-300,
    0.5,
    2.5,
    -2.5,
    1e15 + 0.3,
    6.02214076e23,
    1.602176634e-19,
};

static void print_one(double v)
{
    printf("%f|%.0f|%.3f|%12.4f|%-12.2f|%+f\n", v, v, v, v, v, v);
    printf("%e|%.0e|%.10e|%E\n", v, v, v, v);
    printf("%g|%.3g|%.17g|%G|%#g\n", v, v, v, v, v);
    float f = (float)v;
    printf("float %.9g %a\n", (double)f, isnormal(f) || f == 0 ? (double)f : 0.0);
}

int main(void)
{
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        printf("[%zu]\n", i);
        print_one(values[i]);
    }
    printf("inf %f %e %g %F\n", INFINITY, -INFINITY, INFINITY, INFINITY);
    printf("nan %f %g %F\n", NAN, -NAN, NAN);
    printf("hex %a %a %a %A\n", 1.0, 0.1, -3.75, 1024.0);
    printf("limits %.17g %.17g %.9g\n", DBL_MAX, DBL_EPSILON, (double)FLT_MAX);

    static const char *inputs[] = {
        "0.1",    "1e-310",  "123.456",    "-0",  "1.7976931348623157e308",
        "2.5e-3", "0x1.8p1", "   42.0xyz", "inf", "3.14159265358979323846"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char *end;
        double d = strtod(inputs[i], &end);
        printf("strtod(%s) = %.17g rest=\"%s\"\n", inputs[i], d, end);
    }
    double sum = 0;
    for (int i = 1; i <= 100000; i++)
        sum += 1.0 / ((double)i * i);
    printf("basel %.15f sqrt %.17g fma %.17g\n", sum, sqrt(2.0), fma(0.1, 10.0, -1.0));
    printf("floor %g ceil %g trunc %g round %g fmod %g\n", floor(-2.5), ceil(-2.5), trunc(-2.5),
           round(-2.5), fmod(10.5, 3.0));
    return 0;
}
