"""The engine: expressions, the compiled world, events, the state folded from them, views,
randomness, adjudication and the session that plays a game in simulated time."""
