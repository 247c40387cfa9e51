"""Stage 1: files to documents: YAML with line numbers, $ref bundling confined to specs/, the loaded contract."""
