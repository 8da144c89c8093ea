# Reads a file by a path relative to the app's root, its working directory.
import six


def greet(name):
    with open("shared/greeting.txt") as greeting:
        return f"{greeting.read().strip()}, {name} (six {six.__version__})"
