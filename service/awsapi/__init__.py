"""AWS wire protocols served from botocore's service models."""
