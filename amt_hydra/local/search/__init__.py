"""The search wing: the `Search` interface, the strategy registry, and the strategies behind it."""
