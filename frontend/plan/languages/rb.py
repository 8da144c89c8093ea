from frontend.llb import State
from frontend.plan.recipe import (
    InstallCommand,
    Installer,
    LanguageSteps,
    Recipe,
    runtime_packages,
)

# Core's Ruby loader starts Ruby with metacallcli's arguments, and since
# v0.9.22 it gives Ruby the `-e ""` that keeps it from reading a program
# from stdin only when stdin is a terminal. Under metacallcli with stdin a
# pipe (the launcher with `docker run -i`, the smoke check's FIFO), the
# first `load rb` then reads stdin to its end: the smoke check's load never
# finishes, and a REPL's commands can be taken as Ruby's program. Restored
# as core had it before: the `-e ""` whenever Ruby has no script argument.
LOADER_SOURCE = "source/loaders/rb_loader/source/rb_loader_impl.c"
STDIN_CONDITION = "if (rb_loader_impl_interactive_terminal() && (argv == NULL || argc <= 1))"
NO_SCRIPT_CONDITION = "if (argv == NULL || argc <= 1)"


class Ruby(Recipe):
    title = "Ruby"
    script_option = "ruby"
    links_openssl = True
    has_configuration = True
    installer = Installer(
        files=("Gemfile",), locks=("Gemfile.lock",), packages=("ruby", "ruby-bundler"),
        paths=("/var/lib/gems",), secrets=(("bundle-config", "/root/.bundle/config"),),
        # The Gemfile's development and test groups stay out of the image.
        command=lambda manifest, beside, building: InstallCommand(
            "bundle install", "BUNDLE_WITHOUT=development:test bundle install"),
    )

    def build_dependencies(self, deps: State, build: LanguageSteps) -> State:
        state = super().build_dependencies(deps, build)
        return build.patch_core_source(state, LOADER_SOURCE, STDIN_CONDITION,
                                       NO_SCRIPT_CONDITION,
                                       name="keep the Ruby loader from reading stdin")

    def runtime_libraries(self, on: State, build: LanguageSteps) -> State:
        # metacall-runtime.sh installs ruby; the loader needs only the shared library.
        return build.install_runtime(
            on, runtime_packages("$(apt_dependency libruby 'libruby[0-9.]*')"))
