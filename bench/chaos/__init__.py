"""The chaos suite (`make chaos`): faults under a steady load on a stack of its own."""
