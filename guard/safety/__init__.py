"""The deletion core shared by `guard purge`, `guard clean`, `guard restore` and the daemon.

Everything that removes or moves files goes through here, and everything here works on directory
file descriptors opened without following links, so no path, symlink or race can point it outside
the root or at a protected path. Library code: results come back as dataclasses, nothing prints.
"""
