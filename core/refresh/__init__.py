"""Store -> marts, in pipeline order: the pass over the orders, facts at T, flags, roll-up, monthly series, and the writer that stores a view; the worker process that does it away from the server."""
