from frontend.plan.recipe import Recipe


class Cobol(Recipe):
    tag = "cob"
    title = "COBOL"
    script_option = "cobol"
    # core's scripts add Debian unstable for GnuCOBOL; bookworm ships GnuCOBOL 3.
    environment_packages = ("gnucobol3",)
    runtime_packages = ("libcob4",)
