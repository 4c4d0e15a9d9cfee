"""The demo organisation: an invented workforce whose history reproduces the published roll-out.

`manage.py seed_demo` loads it, one area at a time (demo.management.commands.seed_demo). The
demo reads the other apps and writes through their imports and models; no other app imports it.
"""
