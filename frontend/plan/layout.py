"""Where things live in the images the graph builds."""

# core's source and build tree (deps and dev only).
METACALL_PATH = "/usr/local/metacall"
BUILD_PATH = f"{METACALL_PATH}/build"
# Sources given as named contexts (plthook, a loader's library) are built
# here; a library stages under STAGE what its runtime branch copies.
LIBRARY_SOURCES_PATH = "/usr/local/src"
PLTHOOK_PATH = f"{LIBRARY_SOURCES_PATH}/plthook"
LIBRARY_STAGE_PATH = f"{LIBRARY_SOURCES_PATH}/stage"

# Where core's install components write (under the install prefix).
RUNTIME_INSTALL_PATHS = ("/usr/local/lib", "/usr/local/share/metacall")
CLI_INSTALL_PATHS = ("/usr/local/bin",)
CONFIGURATION_DIR = "/usr/local/share/metacall/configurations"

# Where an installer's step finds the programs BuildKit downloaded for it
# (beside /run/metacall/bin, the apt tools: not a mount inside it).
DOWNLOADS_DIR = "/run/metacall-downloads"

# Each runtime branch saves its dpkg status here for the assembly to merge.
DPKG_STATUS_DIR = "/var/lib/metacall/dpkg-status"

# The CLI's scripts directory, and the app with its launcher.
SCRIPTS_PATH = "/usr/local/scripts"
APP_PATH = "/app"
LAUNCHER_PATH = "/usr/local/bin/metacall-app"
# The user an app runs as unless `app.user` says otherwise; its home is
# where run-time writes go (Python's bytecode of the app's own scripts).
APP_USER = "metacall"
APP_UID = 1000
APP_HOME = f"/home/{APP_USER}"

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# What MetaCall reads at run time (as core's own runtime image sets it).
METACALL_RUNTIME_ENV = {
    "LOADER_LIBRARY_PATH": "/usr/local/lib",
    "LOADER_SCRIPT_PATH": SCRIPTS_PATH,
    "CONFIGURATION_PATH": f"{CONFIGURATION_DIR}/global.json",
    "SERIAL_LIBRARY_PATH": "/usr/local/lib",
    "DETOUR_LIBRARY_PATH": "/usr/local/lib",
    "PORT_LIBRARY_PATH": "/usr/local/lib",
}
