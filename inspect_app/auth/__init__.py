"""Log-in, roles and the authorization policy (role + tenant scoping)."""
