from frontend.plan.recipe import Recipe


class Java(Recipe):
    tag = "java"
    title = "Java"
    script_option = "java"
    # metacall-runtime.sh installs default-jre (with the X11 stack); the loader
    # needs only the JVM.
    runtime_packages = ("default-jre-headless",)
