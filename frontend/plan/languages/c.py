from frontend.plan.recipe import Recipe


class C(Recipe):
    tag = "c"
    title = "C"
    script_option = "c"
    # libtcc: core's CMake would otherwise download and build TinyCC.
    build_packages = ("libtcc-dev",)
