/* The burh client's subcommands: each is a main() of its own, given argv after the name. */
#ifndef BURH_CLI_H
#define BURH_CLI_H

#include <stdbool.h>

#define BURH_VERSION "0.1.0"

/* Exit statuses shared by the subcommands (docs/cli.md lists them). */
enum {
    BURH_EXIT_USAGE = 2,        /* bad command line */
    BURH_EXIT_TIME_LIMIT = 124, /* --time-limit ran out */
    BURH_EXIT_TRAP = 125,       /* the guest trapped */
    BURH_EXIT_BAD_MODULE = 126, /* unreadable, malformed, invalid or unlinkable module */
};

/* argv[0] is the subcommand's name. Returns the process exit status. */
int burh_cmd_run(int argc, char **argv);     /* cmd_run.c */
int burh_cmd_attest(int argc, char **argv);  /* cmd_attest.c */
int burh_cmd_keeps(int argc, char **argv);   /* cmd_keeps.c */
int burh_cmd_deploy(int argc, char **argv);  /* cmd_deploy.c */
int burh_cmd_tcb(int argc, char **argv);     /* cmd_tcb.c */
int burh_cmd_measure(int argc, char **argv); /* cmd_measure.c */

/* syscall_trace.c: forks; the child returns false and goes on to run the program under
 * ptrace, the parent follows it, writes the distinct syscalls it made to `report_path` ("-":
 * stderr), sets *exit_status to the child's and returns true. */
bool burh_trace_syscalls_fork(const char *report_path, int *exit_status);

#endif
