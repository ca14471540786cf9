"""The pure policy engine: validate, compile and index IAM policy documents, then decide.

Standard library only; no I/O, logging or environment reads. Typical use:

    policy = compile_policy(text, policy_id="ANPA…", policy_type=PolicyType.IDENTITY, version="v1")
    inputs = PolicyInputs(identity=PolicyIndex([policy]))
    decision = decide(AuthorizationRequest(principal, action, resource, account, context), inputs)
"""

from .compiler import CompiledPolicy, CompiledStatement, compile_policy
from .decision import SERVICE_RULES, PolicyInputs, ServiceRule, decide
from .index import PolicyIndex
from .model import (
    AuthorizationRequest,
    lower_context,
    Decision,
    Effect,
    MalformedPolicyError,
    PolicyProblem,
    PolicyType,
    StatementEffect,
    StatementRef,
)
from .principals import UnsupportedPrincipalError
from .validate import validate_policy

__all__ = [
    "AuthorizationRequest",
    "lower_context",
    "CompiledPolicy",
    "CompiledStatement",
    "Decision",
    "Effect",
    "MalformedPolicyError",
    "PolicyIndex",
    "PolicyInputs",
    "PolicyProblem",
    "PolicyType",
    "SERVICE_RULES",
    "ServiceRule",
    "StatementEffect",
    "StatementRef",
    "UnsupportedPrincipalError",
    "compile_policy",
    "decide",
    "validate_policy",
]
