"""Real-name sign-in: the platform as an OpenID Connect relying party, and a development identity provider."""
