"""Stage 4: the intermediate representation (types.py) and the passes that build it from a valid contract."""
