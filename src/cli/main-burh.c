/* burh: the client command line; dispatches to one subcommand from a table. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

typedef struct command {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"run", burh_cmd_run, "run a WebAssembly (WASI) program on this host"},
    {"attest", burh_cmd_attest, "verify attestation evidence from a keep's platform"},
    {"deploy", burh_cmd_deploy, "run a program in an attested keep on a remote host"},
    {"keeps", burh_cmd_keeps, "list, show or delete the keeps of a keep manager"},
    {"measure", burh_cmd_measure, "compute a keep's expected launch digest"},
    {"tcb", burh_cmd_tcb, "measure burh's trusted computing base per backend"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: burh [--version] [--help] COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'burh COMMAND --help' describes one command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return BURH_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0) {
        printf("burh %s\n", BURH_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].main(argc - 1, argv + 1);
    }
    fprintf(stderr, "burh: unknown command '%s'\n", name);
    usage(stderr);
    return BURH_EXIT_USAGE;
}
