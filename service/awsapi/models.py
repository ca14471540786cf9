"""botocore's bundled service models, loaded once each: the one source of AWS's shapes."""

from __future__ import annotations

import functools

import botocore.loaders
from botocore.model import ServiceModel

_LOADER = botocore.loaders.Loader()


@functools.cache
def service_model(service: str) -> ServiceModel:
    """The model of an AWS service by botocore's name for it ("iam", "sts", "cloudtrail", ...)."""
    return ServiceModel(_LOADER.load_service_model(service, "service-2"), service)
