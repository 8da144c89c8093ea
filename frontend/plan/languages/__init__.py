"""One module per MetaCall loader; importing this package registers them all."""

from frontend.plan.languages import c, cob, cs, file, java, node, py, rb, rpc, ts, wasm

__all__ = ["c", "cob", "cs", "file", "java", "node", "py", "rb", "rpc", "ts", "wasm"]
