"""Marketing analytics, computed in SQL: attribution, campaign performance, audiences, overlap."""
