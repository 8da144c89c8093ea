"""Bounds on what a build reads, so no input can exhaust the frontend: past
any of them the build fails at once with an error naming the file."""

# The declaration: its size, how deep it nests, how many elements it has
# once YAML aliases are expanded (an alias is a copy of what it names).
DECLARATION_BYTES = 64 * 1024
DEPTH = 32
ELEMENTS = 10_000
# The app's manifests and dependency files, and the scripts they name.
MANIFEST_BYTES = 64 * 1024
MANIFESTS = 256
DEPENDENCY_FILES = 256
SCRIPTS = 1_000
# How many of the app's source files are read for the languages they load,
# and how much of each.
SOURCE_FILES = 1_000
SCRIPT_BYTES = 64 * 1024
