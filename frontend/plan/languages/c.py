from frontend.plan.recipe import Recipe

# Development packages a C runtime needs (see runtime_packages).
RUNTIME_DEVELOPMENT_PACKAGES = ("libc6-dev", "libclang-common-14-dev")


class C(Recipe):
    tag = "c"
    title = "C"
    script_option = "c"
    # core's scripts add apt.llvm.org for LLVM 14; bookworm ships that version.
    environment_packages = ("libffi-dev", "libclang-14-dev")
    # The loader compiles each script when it loads it (libclang reads the
    # signatures, TinyCC compiles and links against libc), so a C runtime
    # keeps what other runtimes must not: libc's headers and libc.so, the
    # linker script TinyCC resolves `-lc` with (libc6-dev), and the compiler
    # headers libclang parses them with (stddef.h: libclang-common-14-dev).
    runtime_packages = (
        "$(apt_dependency libffi-dev 'libffi[0-9]*')",
        "$(apt_dependency libclang-14-dev 'libclang1-14')",
        *RUNTIME_DEVELOPMENT_PACKAGES,
    )
    # TinyCC: core's CMake downloads metacall/tinycc and builds libtcc.so.
    # Debian's libtcc-dev cannot stand in: it is a static archive built
    # without -fPIC, and its API lacks tcc_list_symbols, which the loader calls.
    # From the `tinycc` context it is built as core's CMake would build it, its
    # runtime files (libtcc1.a, headers) where the loader's library path
    # (/usr/local/lib) leads TinyCC.
    library_context = "tinycc"
    library_build = (
        "./configure --prefix=/usr/local --tccdir=/usr/local/lib --disable-static "
        '--with-selinux && make -j "$(nproc)" && make install && make install DESTDIR="$STAGE"'
    )
    # core's own TinyCC install puts TinyCC's headers there.
    runtime_install_paths = ("/usr/local/include",)
