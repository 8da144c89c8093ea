import six


def describe(value):
    return f"{value} is text: {isinstance(value, six.string_types)} (six {six.__version__})"
