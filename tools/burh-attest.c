/* burh-attest: stand-alone driver for `burh attest` until the lead wires it into the burh CLI. */
int burh_cmd_attest(int argc, char **argv);

int main(int argc, char **argv)
{
    return burh_cmd_attest(argc, argv);
}
