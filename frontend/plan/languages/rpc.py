from frontend.plan.recipe import Recipe


class Rpc(Recipe):
    tag = "rpc"
    title = "RPC"
    script_option = "rpc"
    # concurrentqueue: core's CMake would otherwise download it from GitHub.
    build_packages = ("libconcurrentqueue-dev",)
    cmake_definitions = ("-DConcurrentQueue_SOURCE_DIR=/usr/include/concurrentqueue",)
