"""Developer tools outside the pipeline: a throwaway server, the feature-scenario runner, the fuzzer."""
