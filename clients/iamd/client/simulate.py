"""`iamctl simulate --scenarios FILE.jsonl`: evaluate scenarios in-process, no server needed.

Reads scenarios in the format of shared/iam-scenarios/FORMAT.md and prints one JSON line per
scenario. This is the one place where the CLI uses the policy engine directly: the engine is
pure (standard library only), so the offline simulator gives exactly the server's decisions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any


def simulate_lines(lines: Iterable[str]) -> Iterable[dict[str, Any]]:
    """One result per non-empty line: the decision and its explanation, or the error."""
    from iamd.service.policy import MalformedPolicyError, decide
    from iamd.service.policy.scenario import scenario_to_inputs

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            scenario = json.loads(line)
        except json.JSONDecodeError as e:
            yield {"line": number, "error": "InvalidJson", "message": str(e)}
            continue
        ident = scenario.get("id", f"line-{number}")
        try:
            request, inputs = scenario_to_inputs(scenario)
        except MalformedPolicyError as e:
            yield {"id": ident, "error": "MalformedPolicyDocument",
                   "problems": [{"path": p.path, "message": p.message, "hint": p.hint} for p in e.problems]}
            continue
        except (KeyError, TypeError, ValueError) as e:
            yield {"id": ident, "error": "InvalidInput", "message": str(e)}
            continue
        decision = decide(request, inputs)
        yield {
            "id": ident,
            "decision": decision.decision.value,
            "determiningStatements": [
                {"policyId": s.policy_id, "policyType": _value(s.policy_type), "version": s.version,
                 "sid": s.sid, "index": s.index, "effect": _value(s.effect)} for s in decision.determining],
            "blockedBy": [_value(t) for t in decision.blocked_by],
            "missingContextKeys": list(decision.missing_context_keys),
            "results": {_value(t): _value(r) for t, r in decision.results.items()},
        }


def run_simulate(path: str, stdout: IO[str], stderr: IO[str]) -> int:
    """Exit 0 when every scenario was evaluated, 1 when some could not be, 252 on a bad file."""
    try:
        handle = open(path, encoding="utf-8") if path != "-" else None
    except OSError as e:
        stderr.write(f"iamctl: error: cannot read {path}: {e}\n")
        return 252
    failures = 0
    import sys

    with handle or sys.stdin as source:
        for result in simulate_lines(source):
            failures += "error" in result
            stdout.write(json.dumps(result, separators=(",", ":")) + "\n")
    return 1 if failures else 0


def _value(item: Any) -> Any:
    return getattr(item, "value", item)
