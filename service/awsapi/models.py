"""botocore's bundled service models, loaded once each: the one source of AWS's shapes."""

from __future__ import annotations

import functools

import botocore.loaders
from botocore.model import ServiceModel

_LOADER = botocore.loaders.Loader()


# botocore names a few models other than their signing names (what iamd's operations use).
_MODEL_NAMES = {"access-analyzer": "accessanalyzer"}


@functools.cache
def service_model(service: str) -> ServiceModel:
    """The model of an AWS service by its signing name ("iam", "sts", "cloudtrail",
    "access-analyzer", ...)."""
    name = _MODEL_NAMES.get(service, service)
    return ServiceModel(_LOADER.load_service_model(name, "service-2"), name)
