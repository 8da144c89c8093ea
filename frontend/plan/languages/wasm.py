from frontend.plan.recipe import Recipe


class WebAssembly(Recipe):
    title = "WebAssembly"
    # wasmtime is downloaded from GitHub by core's scripts: not reachable offline.
    script_option = "wasm"
