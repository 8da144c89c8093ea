"""Answers to BuildKit's subrequests (`--print=outline|lint|targets`):
what a build reads and what looks wrong in it, from the same parse and
context scan a build uses, without building."""
