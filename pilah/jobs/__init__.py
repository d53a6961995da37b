"""The schedule: collectors on intervals and the nightly batch on cron, one run per occurrence across processes."""
