from frontend.llb import State
from frontend.plan.layout import LIBRARY_SOURCES_PATH, LIBRARY_STAGE_PATH
from frontend.plan.recipe import LanguageSteps, Recipe, runtime_packages
from frontend.plan.shell import apt_install

# Development packages a C runtime needs (see runtime_libraries).
RUNTIME_DEVELOPMENT_PACKAGES = ("libc6-dev", "libclang-common-14-dev")
# core's CMake downloads metacall/tinycc and builds libtcc.so; given as this
# named context, deps-c builds it instead.
TINYCC_CONTEXT = "tinycc"


class C(Recipe):
    title = "C"
    script_option = "c"
    # core's own TinyCC install puts TinyCC's headers there.
    runtime_install_paths = ("/usr/local/include",)

    def environment_script(self, build: LanguageSteps) -> str:
        # core's scripts add apt.llvm.org for LLVM 14; bookworm ships that version.
        return apt_install(("libffi-dev", "libclang-14-dev"))

    def build_dependencies(self, deps: State, build: LanguageSteps) -> State:
        """Debian's libtcc-dev cannot stand in for TinyCC: it is a static
        archive built without -fPIC, and its API lacks tcc_list_symbols,
        which the loader calls. From the `tinycc` context it is built as
        core's CMake would build it, its runtime files (libtcc1.a, headers)
        where the loader's library path (/usr/local/lib) leads TinyCC."""
        state = super().build_dependencies(deps, build)
        tinycc = build.libraries.get(TINYCC_CONTEXT)
        if tinycc is None:
            return state  # core's CMake downloads it
        source = f"{LIBRARY_SOURCES_PATH}/{TINYCC_CONTEXT}"
        return build.run(
            state.copy(tinycc, "/", source, name=f"[{self.tag}] add {TINYCC_CONTEXT} sources"),
            f"STAGE={LIBRARY_STAGE_PATH} && ./configure --prefix=/usr/local "
            "--tccdir=/usr/local/lib --disable-static --with-selinux "
            '&& make -j "$(nproc)" && make install && make install DESTDIR="$STAGE"',
            name=f"build {TINYCC_CONTEXT}", cwd=source,
        )

    def runtime_libraries(self, on: State, build: LanguageSteps) -> State:
        """The loader compiles each script when it loads it (libclang reads
        the signatures, TinyCC compiles and links against libc), so a C
        runtime keeps what other runtimes must not: libc's headers and
        libc.so, the linker script TinyCC resolves `-lc` with (libc6-dev),
        and the compiler headers libclang parses them with (stddef.h:
        libclang-common-14-dev)."""
        state = build.install_runtime(on, runtime_packages(
            "$(apt_dependency libffi-dev 'libffi[0-9]*')",
            "$(apt_dependency libclang-14-dev 'libclang1-14')",
            *RUNTIME_DEVELOPMENT_PACKAGES,
        ))
        if TINYCC_CONTEXT not in build.libraries:
            return state
        return state.copy(build.deps(), f"{LIBRARY_STAGE_PATH}/usr/local/lib", "/usr/local/lib",
                          name=f"[{self.tag}] add {TINYCC_CONTEXT}'s runtime files")
