"""Stage 3: the rules. Each reports located diagnostics and goes on, so one run reports every problem."""
