import six
from metacall import metacall


def python_asks_node(value):
    return f"python (six {six.__version__}) asked node: {metacall('is_number', value)}"


def double(value):
    return value * 2
