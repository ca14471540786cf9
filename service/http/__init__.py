"""The AWS-compatible HTTP endpoint (the Query protocol for IAM and STS)."""
