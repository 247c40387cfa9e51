"""Stage 2: what the contract means, read once: OpenAPI and schema helpers, x-owner-scoped, the table mapping."""
