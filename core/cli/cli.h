/* cli.h — the subcommands of sg17tb; each takes its own argv (argv[0] = the subcommand) and
 * returns the process exit code. */
#ifndef SG17_CLI_H
#define SG17_CLI_H

int cmd_run(int argc, char **argv);
int cmd_broker(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_coverage(int argc, char **argv);
int cmd_host(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_module_tool(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_diff(int argc, char **argv);

#endif
