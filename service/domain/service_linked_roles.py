"""Service-linked roles: roles an AWS service owns in the account (CreateServiceLinkedRole,
DeleteServiceLinkedRole, GetServiceLinkedRoleDeletionStatus).

A service-linked role is a role of the account (the role's stream, `role-ACCOUNT-NAME`) whose
`RoleCreated` names the service (`aws_service_name`). AWS decides its name, path, trust policy and
permissions, not the account:

- path `/aws-service-role/<service principal>/`;
- name `AWSServiceRoleFor<Service>`, the service's own spelling, which no rule derives from the
  principal (`es.amazonaws.com` is `AWSServiceRoleForAmazonElasticsearchService`): iamd knows the
  services of `KNOWN` below (AWS's names, from each service's "Using service-linked roles" page).
  For another `*.amazonaws.com` principal iamd derives `AWSServiceRoleFor` + the principal's first
  label as given (`other.amazonaws.com`: `AWSServiceRoleForother`), attaches no policy (it cannot
  know the service's), and refuses a CustomSuffix as AWS refuses one to a service that takes none
  (`InvalidInput` "Custom suffix is not allowed for ..."), since it cannot know that the service
  takes one. A principal outside `amazonaws.com` is no AWS service: `InvalidInput`;
- `_<CustomSuffix>` appended for the services that take one (Auto Scaling, Amazon Connect, Lex V2);
- the trust policy lets the service principal assume it;
- the permissions: the AWS managed policy AWS attaches for the service
  (`arn:aws:iam::aws:policy/aws-service-role/...`), when iamd's data package has it.

Users cannot delete it with DeleteRole, change its trust policy, or attach, detach, put or delete
its policies or boundary: `UnmodifiableEntity`, as AWS. DeleteServiceLinkedRole deletes it at
once (iamd has no service to ask): the task is `SUCCEEDED`, or `FAILED` while the role is in use
as AWS reports it (an instance profile holds it, or a session of it is live), with the reason and
the resources in its `RoleUsageList`. Each task is an event of the role's stream, so its status
survives restarts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .errors import FieldProblem, InvalidInputError, NoSuchEntityError, UnmodifiableEntityError
from .events import Deleted, Event, PolicyDetached, ServiceLinkedRoleDeletionTaskRecorded

PATH_PREFIX = "/aws-service-role/"
MAX_ROLE_NAME = 64
_SERVICE = re.compile(r"[\w+=,.@-]+")
_TASK = re.compile(r"task/aws-service-role/(?P<service>[\w+=,.@-]+)/(?P<role>[\w+=,.@-]+)/(?P<uuid>[0-9a-f-]{36})")


@dataclass(frozen=True)
class Service:
    role_name: str
    policy: str = ""  # the AWS managed policy's name under arn:aws:iam::aws:policy/aws-service-role/
    suffix_allowed: bool = False


# AWS's service-linked roles of the services users most create them for (AWS's documentation of
# each service: "Using service-linked roles for <service>").
KNOWN: dict[str, Service] = {
    "autoscaling.amazonaws.com": Service("AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy", True),
    "elasticbeanstalk.amazonaws.com": Service("AWSServiceRoleForElasticBeanstalk",
                                              "AWSElasticBeanstalkServiceRolePolicy"),
    "custom-resource.application-autoscaling.amazonaws.com": Service(
        "AWSServiceRoleForApplicationAutoScaling_CustomResource", "AWSApplicationAutoScalingCustomResourcePolicy"),
    "dynamodb.application-autoscaling.amazonaws.com": Service(
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable", "AWSApplicationAutoscalingDynamoDBTablePolicy"),
    "ecs.application-autoscaling.amazonaws.com": Service(
        "AWSServiceRoleForApplicationAutoScaling_ECSService", "AWSApplicationAutoscalingECSServicePolicy"),
    "ecs.amazonaws.com": Service("AWSServiceRoleForECS", "AmazonECSServiceRolePolicy"),
    "eks.amazonaws.com": Service("AWSServiceRoleForAmazonEKS", "AmazonEKSServiceRolePolicy"),
    "eks-nodegroup.amazonaws.com": Service("AWSServiceRoleForAmazonEKSNodegroup",
                                           "AWSServiceRoleForAmazonEKSNodegroup"),
    "eks-fargate.amazonaws.com": Service("AWSServiceRoleForAmazonEKSForFargate", "AmazonEKSForFargateServiceRolePolicy"),
    "elasticloadbalancing.amazonaws.com": Service("AWSServiceRoleForElasticLoadBalancing",
                                                  "AWSElasticLoadBalancingServiceRolePolicy"),
    "es.amazonaws.com": Service("AWSServiceRoleForAmazonElasticsearchService", "AmazonElasticsearchServiceRolePolicy"),
    "opensearchservice.amazonaws.com": Service("AWSServiceRoleForAmazonOpenSearchService",
                                               "AmazonOpenSearchServiceRolePolicy"),
    "elasticache.amazonaws.com": Service("AWSServiceRoleForElastiCache", "ElastiCacheServiceRolePolicy"),
    "rds.amazonaws.com": Service("AWSServiceRoleForRDS", "AmazonRDSServiceRolePolicy"),
    "redshift.amazonaws.com": Service("AWSServiceRoleForRedshift", "AmazonRedshiftServiceLinkedRolePolicy"),
    "spot.amazonaws.com": Service("AWSServiceRoleForEC2Spot", "AWSEC2SpotServiceRolePolicy"),
    "spotfleet.amazonaws.com": Service("AWSServiceRoleForEC2SpotFleet", "AWSEC2SpotFleetServiceRolePolicy"),
    "ssm.amazonaws.com": Service("AWSServiceRoleForAmazonSSM", "AmazonSSMServiceRolePolicy"),
    "support.amazonaws.com": Service("AWSServiceRoleForSupport", "AWSSupportServiceRolePolicy"),
    "trustedadvisor.amazonaws.com": Service("AWSServiceRoleForTrustedAdvisor", "AWSTrustedAdvisorServiceRolePolicy"),
    "organizations.amazonaws.com": Service("AWSServiceRoleForOrganizations", "AWSOrganizationsServiceTrustPolicy"),
    "config.amazonaws.com": Service("AWSServiceRoleForConfig", "AWSConfigServiceRolePolicy"),
    "cloudtrail.amazonaws.com": Service("AWSServiceRoleForCloudTrail", "CloudTrailServiceRolePolicy"),
    "guardduty.amazonaws.com": Service("AWSServiceRoleForAmazonGuardDuty", "AmazonGuardDutyServiceRolePolicy"),
    "securityhub.amazonaws.com": Service("AWSServiceRoleForSecurityHub", "AWSSecurityHubServiceRolePolicy"),
    "inspector2.amazonaws.com": Service("AWSServiceRoleForAmazonInspector2", "AmazonInspector2ServiceRolePolicy"),
    "macie.amazonaws.com": Service("AWSServiceRoleForAmazonMacie", "AmazonMacieServiceRolePolicy"),
    "sso.amazonaws.com": Service("AWSServiceRoleForSSO", "AWSSSOServiceRolePolicy"),
    "backup.amazonaws.com": Service("AWSServiceRoleForBackup", "AWSBackupServiceLinkedRolePolicyForBackup"),
    "elasticfilesystem.amazonaws.com": Service("AWSServiceRoleForAmazonElasticFileSystem",
                                               "AmazonElasticFileSystemServiceRolePolicy"),
    "kafka.amazonaws.com": Service("AWSServiceRoleForKafka", "KafkaServiceRolePolicy"),
    "ops.apigateway.amazonaws.com": Service("AWSServiceRoleForAPIGateway", "APIGatewayServiceRolePolicy"),
    "replicator.lambda.amazonaws.com": Service("AWSServiceRoleForLambdaReplicator", "AWSLambdaReplicator"),
    "acm.amazonaws.com": Service("AWSServiceRoleForCertificateManager", "CertificateManagerServiceRolePolicy"),
    "mq.amazonaws.com": Service("AWSServiceRoleForAmazonMQ", "AmazonMQServiceRolePolicy"),
    "batch.amazonaws.com": Service("AWSServiceRoleForBatch", "BatchServiceRolePolicy"),
    "globalaccelerator.amazonaws.com": Service("AWSServiceRoleForGlobalAccelerator", "AWSGlobalAcceleratorSLRPolicy"),
    "imagebuilder.amazonaws.com": Service("AWSServiceRoleForImageBuilder", "AWSServiceRoleForImageBuilder"),
    "connect.amazonaws.com": Service("AWSServiceRoleForAmazonConnect", "AmazonConnectServiceLinkedRolePolicy", True),
    "lexv2.amazonaws.com": Service("AWSServiceRoleForLexV2Bots", "AmazonLexV2BotPolicy", True),
}


def _invalid(message: str, field: str) -> InvalidInputError:
    return InvalidInputError(message, problems=[FieldProblem(field, message)])


def service_of(aws_service_name: str) -> Service:
    """What iamd knows of the service (its role's name, its policy, whether it takes a suffix), or
    the derivation described above for another AWS service principal."""
    if not _SERVICE.fullmatch(aws_service_name) or len(aws_service_name) > 128:
        raise _invalid(f"Invalid service name: {aws_service_name}", "awsServiceName")
    known = KNOWN.get(aws_service_name)
    if known is not None:
        return known
    first, _, rest = aws_service_name.partition(".")
    if not first or rest != "amazonaws.com":
        raise _invalid(f"Invalid service name: {aws_service_name}: not the principal of an AWS service "
                       "(SERVICE.amazonaws.com)", "awsServiceName")
    derived = f"AWSServiceRoleFor{first}"
    for principal, service in KNOWN.items():  # names are unique in any case: never a known service's name
        if derived.lower() == service.role_name.lower() or (
                service.suffix_allowed and derived.lower().startswith(service.role_name.lower() + "_")):
            raise _invalid(f"Invalid service name: {aws_service_name}: its role name {derived} is the role name of "
                           f"{principal} (service principals are case-sensitive)", "awsServiceName")
    return Service(derived)


def role_name(aws_service_name: str, custom_suffix: str = "") -> str:
    service = service_of(aws_service_name)
    if not custom_suffix:
        if len(service.role_name) > MAX_ROLE_NAME:  # a derived name: no role may be named so (Role: RoleName 1-64)
            raise _invalid(f"Invalid service name: {aws_service_name}: its role name {service.role_name} is longer "
                           f"than {MAX_ROLE_NAME} characters", "awsServiceName")
        return service.role_name
    if not service.suffix_allowed:
        raise _invalid(f"Custom suffix is not allowed for {aws_service_name}", "customSuffix")
    name = f"{service.role_name}_{custom_suffix}"
    if len(name) > MAX_ROLE_NAME:
        raise _invalid(f"The role name {name} made with the custom suffix is longer than {MAX_ROLE_NAME} characters",
                       "customSuffix")
    return name


def path_of(aws_service_name: str) -> str:
    return f"{PATH_PREFIX}{aws_service_name}/"


def policy_arn(aws_service_name: str) -> str:
    """The AWS managed policy AWS attaches to the service's role ("" when iamd knows none)."""
    service = KNOWN.get(aws_service_name)
    return f"arn:aws:iam::aws:policy/aws-service-role/{service.policy}" if service and service.policy else ""


def trust_policy(aws_service_name: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": aws_service_name}, "Action": "sts:AssumeRole"}]})


def taken(name: str) -> InvalidInputError:
    return _invalid(f"Service role name {name} has been taken in this account, please try a different suffix.",
                    "customSuffix")


def unmodifiable(role_name: str) -> UnmodifiableEntityError:
    """AWS's refusal of a user's change to a role a service owns."""
    return UnmodifiableEntityError(
        f"Cannot perform the operation on the protected role '{role_name}' - this role is only modifiable by AWS",
        resource_type="role", resource_name=role_name)


def require_modifiable(state: Any) -> None:
    """`state`: a role's EntityState; refused when a service owns the role."""
    if getattr(state, "aws_service_name", ""):
        raise unmodifiable(state.name)


# --- deletion tasks ------------------------------------------------------------------------------
def task_id(aws_service_name: str, role: str, uuid: str) -> str:
    """AWS's form: task/aws-service-role/<service principal>/<role name>/<uuid>."""
    return f"task/aws-service-role/{aws_service_name}/{role}/{uuid}"


def parse_task_id(value: str) -> tuple[str, str]:
    """(service principal, role name) of a deletion task id; InvalidInput when it is not one."""
    match = _TASK.fullmatch(value) if 1 <= len(value) <= 1000 else None
    if match is None:
        raise _invalid(f"Invalid deletion task id: {value}", "deletionTaskId")
    return match["service"], match["role"]


def no_such_task(value: str) -> NoSuchEntityError:
    return NoSuchEntityError(f"Deletion task {value} cannot be found.", resource_type="deletion task",
                             resource_name=value)


def not_service_linked(name: str) -> NoSuchEntityError:
    return NoSuchEntityError(f"The service-linked role with name {name} cannot be found.", resource_type="role",
                             resource_name=name)


def delete(state: Any, *, task: str, now: str, sessions: int, instance_profiles: list[str]) -> list[Event]:
    """DeleteServiceLinkedRole on a role's EntityState: the task, and the deletion unless the role is
    in use (`sessions` live sessions, the ARNs of the instance profiles that hold it)."""
    if not getattr(state, "aws_service_name", ""):
        raise not_service_linked(state.name)
    reasons = []
    if instance_profiles:
        reasons.append("it is in an instance profile")
    if sessions:
        reasons.append(f"it has {sessions} active session{'s' if sessions != 1 else ''}")
    if reasons:
        reason = (f"Service-linked role {state.arn} cannot be deleted as it is in use by "
                  f"{state.aws_service_name}: {' and '.join(reasons)}.")
        usage = [{"region": "global", "resources": list(instance_profiles)}] if instance_profiles else []
        return [ServiceLinkedRoleDeletionTaskRecorded(task, "FAILED", now, reason, usage)]
    return [*(PolicyDetached(arn) for arn in state.attached),
            ServiceLinkedRoleDeletionTaskRecorded(task, "SUCCEEDED", now), Deleted()]
