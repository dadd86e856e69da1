"""Services above the store: load what the store holds, run the engine on it, save the results."""
