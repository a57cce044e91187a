/* keeps-cli.c: TEST DRIVER: runs burh_cmd_keeps alone until the lead wires it into `burh`. */
int burh_cmd_keeps(int argc, char **argv);

int main(int argc, char **argv)
{
    return burh_cmd_keeps(argc, argv);
}
