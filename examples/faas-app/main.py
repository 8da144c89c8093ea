import asyncio
import time

from metacall import metacall


def add(a, b):
    return a + b


def ask_node(name):
    """Python calling Node.js through MetaCall's port."""
    return f"python asked node: {metacall('greet', name)}"


def fail(message):
    raise ValueError(message)


async def double_later(value):
    await asyncio.sleep(0.01)
    return value * 2


def sleep(seconds):
    time.sleep(seconds)
    return seconds
