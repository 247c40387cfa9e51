"""Stage 6: write the tree in a temporary folder, compare, swap it into generated/, record the run manifest."""
