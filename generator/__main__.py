from generator.cli.quick import entry

entry()
