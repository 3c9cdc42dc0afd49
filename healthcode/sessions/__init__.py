"""Web sessions kept on the server: the cookie carries a random token, the `web_sessions` table what it stands for.
Low in the package graph: imports only db, config and clock."""
