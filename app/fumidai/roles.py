"""Staff roles, weakest first: viewer reads, operator acts on accounts, admin does everything."""

ROLES = ("viewer", "operator", "admin")
