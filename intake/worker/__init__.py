"""The worker: one cycle, the daily digest job, and the scheduler that runs them."""
