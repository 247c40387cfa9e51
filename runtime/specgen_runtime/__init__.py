"""The library that generated apps import: auth, errors, data access, app wiring.

Generated code stays small and declarative; everything that must hold for every
contract (JWT first, owner filters, problem details) lives here and is tested once.
"""
