"""The Postfix side: the policy delegation protocol and the asyncio server."""
