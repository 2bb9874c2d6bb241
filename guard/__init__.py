"""guard keeps a project's repository and its running servers clean."""

__version__ = '0.1.0'
