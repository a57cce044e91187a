/* burh-deploy: runs `burh deploy` until the lead wires it into the burh dispatcher. */
int burh_cmd_deploy(int argc, char **argv);

int main(int argc, char **argv)
{
    return burh_cmd_deploy(argc, argv);
}
