"""Hot-path rolling counters: in process (memory) or replicated between nodes through Redis."""
