"""Frame rendering for exports and the explorer."""
