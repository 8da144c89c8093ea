import six


def shout(name):
    return f"{name.upper()}! (six {six.__version__})"
