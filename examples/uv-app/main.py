# A Python app whose dependencies uv locked: the image gets exactly the
# versions in uv.lock, and not the dev group's.
import six


def versions():
    return f"six {six.__version__}"
