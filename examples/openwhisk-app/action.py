from metacall import metacall


def main(params):
    """The action: OpenWhisk's /run passes the activation's parameters."""
    name = params.get("name", "world")
    return {
        "greeting": metacall("shout", f"hello {name}"),
        "activation": metacall("activation"),
    }
