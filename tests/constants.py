"""Constants shared by the test suite (no Django imports)."""

PASSWORD = "correct-horse-battery"
