"""Stage 5: IR to source text, one table of outputs (tree.py); jinja2 templates and datamodel-code-generator."""
