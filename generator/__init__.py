"""specgen: a spec-first backend compiler (contracts in specs/, code in generated/)."""

__version__ = "0.1.0"
