from metacall import metacall, metacall_load_from_file

metacall_load_from_file("node", ["sum.js"])
metacall_load_from_file("rb", ["greet.rb"])


def python_calls_node_and_ruby():
    return f"node sum={metacall('sum', 40, 2)}; ruby says {metacall('greet', 'python')}"
