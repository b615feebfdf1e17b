"""template.yaml as the single source of truth for every local and test resource.

Tests and ``make run`` build their moto tables, queues, topics and keys from the ``Properties``
written in template.yaml, named by logical ID, so a test can never disagree with what ships.
"""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import boto3
import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = ROOT / "template.yaml"
ACCOUNT_ID = "123456789012"  # moto's default account


try:  # libyaml's parser (in PyYAML's wheels) reads the 170 KB template about 30 times faster than pure Python
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _CfnLoader(_SafeLoader):
    """A YAML loader that turns CloudFormation short-form tags into their long form."""


def _construct_tag(loader: _CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag_suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(cast(yaml.MappingNode, node), deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """template.yaml as plain data (intrinsic functions in their long form)."""
    with path.open(encoding="utf-8") as fh:
        return cast(dict[str, Any], yaml.load(fh, Loader=_CfnLoader))  # noqa: S506 - a SafeLoader subclass


@dataclass
class LocalNames:
    """What ``Ref`` and ``Fn::GetAtt`` resolve to for resources created locally."""

    region: str
    endpoint_url: str | None = None
    refs: dict[str, str] = field(default_factory=dict)
    attrs: dict[tuple[str, str], str] = field(default_factory=dict)


class TemplateResources:
    """Reads template.yaml and creates its stateful resources through boto3 (moto in tests)."""

    def __init__(self, template: dict[str, Any] | None = None, region: str = "us-east-1") -> None:
        self.template = template if template is not None else load_template()
        self.region = region
        self.names = LocalNames(region=region)

    # ---- reading -------------------------------------------------------------------------------------
    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        """The template's resources by logical ID."""
        return cast(dict[str, dict[str, Any]], self.template["Resources"])

    def logical_ids(self, resource_type: str) -> list[str]:
        """Logical IDs of every resource of one CloudFormation type, in template order."""
        return [lid for lid, res in self.resources.items() if res["Type"] == resource_type]

    def properties(self, logical_id: str) -> dict[str, Any]:
        """A resource's Properties, as written."""
        return cast(dict[str, Any], self.resources[logical_id].get("Properties", {}))

    def parameter_defaults(self) -> dict[str, str]:
        """Each parameter's default value, as a string (what Ref on it gives)."""
        params = self.template.get("Parameters", {})
        return {name: str(spec.get("Default", "")) for name, spec in params.items()}

    def function_environment(self, logical_id: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment a function's template entry declares (Globals merged), resolved locally."""
        global_vars = self.template.get("Globals", {}).get("Function", {}).get("Environment", {})
        own_vars = self.properties(logical_id).get("Environment", {})
        merged = {**global_vars.get("Variables", {}), **own_vars.get("Variables", {})}
        env = {name: self.resolve(value) for name, value in merged.items()}
        env.update(overrides or {})
        return env

    def function_property(self, logical_id: str, name: str) -> Any:
        """A function property, falling back to Globals.Function (as SAM does)."""
        own = self.properties(logical_id)
        if name in own:
            return own[name]
        return self.template.get("Globals", {}).get("Function", {}).get(name)

    # ---- intrinsic functions -------------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        """Resolve Ref, GetAtt, Sub, Join, If, Select, Split against local names and parameter defaults."""
        if isinstance(value, dict) and len(value) == 1:
            (fn, arg), = value.items()
            if fn == "Ref":
                return self._ref(arg)
            if fn == "Fn::GetAtt":
                lid, attr = arg if isinstance(arg, list) else arg.split(".", 1)
                return self._get_att(lid, attr)
            if fn == "Fn::Sub":
                return self._sub(arg)
            if fn == "Fn::Join":
                sep, parts = arg
                return sep.join(str(self.resolve(p)) for p in parts)
            if fn == "Fn::Select":
                index, items = arg
                return self.resolve(items)[int(index)]
            if fn == "Fn::Split":
                sep, text = arg
                return str(self.resolve(text)).split(sep)
            if fn == "Fn::If":
                condition, if_true, if_false = arg
                return self.resolve(if_true if self.condition(condition) else if_false)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return str(value) if isinstance(value, bool | int | float) else value

    def resolve_keeping_types(self, value: Any) -> Any:
        """Like ``resolve``, but plain numbers and booleans stay as written (boto3 wants them typed)."""
        intrinsic = next(iter(value)) if isinstance(value, dict) and len(value) == 1 else None
        if intrinsic == "Ref" or (isinstance(intrinsic, str) and intrinsic.startswith("Fn::")):
            return self.resolve(value)
        if isinstance(value, dict):
            return {k: self.resolve_keeping_types(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve_keeping_types(v) for v in value]
        return value

    def condition(self, name: str) -> bool:
        """A template condition, evaluated with the parameters' defaults (Stage=dev locally)."""
        return self._truth(self.template.get("Conditions", {})[name])

    def _truth(self, expr: Any) -> bool:
        (fn, arg), = expr.items()
        if fn == "Fn::Equals":
            return str(self.resolve(arg[0])) == str(self.resolve(arg[1]))
        if fn == "Fn::Not":
            return not self._truth(arg[0])
        if fn == "Fn::And":
            return all(self._truth(a) for a in arg)
        if fn == "Fn::Or":
            return any(self._truth(a) for a in arg)
        if fn == "Condition":
            return self.condition(arg)
        raise ValueError(f"unsupported condition function {fn}")

    def _ref(self, name: str) -> str:
        pseudo = {"AWS::Region": self.region, "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": "aws",
                  "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "inquiry-intake-local"}
        if name in pseudo:
            return pseudo[name]
        if name in self.names.refs:
            return self.names.refs[name]
        params = self.parameter_defaults()
        if name in params:
            return params[name]
        return name  # tables, functions and the like: the physical name is the logical ID locally

    def _get_att(self, logical_id: str, attr: str) -> str:
        if (logical_id, attr) in self.names.attrs:
            return self.names.attrs[(logical_id, attr)]
        if attr in ("QueueName", "TopicName", "Name"):
            return logical_id
        if attr == "Arn":
            rtype = self.resources.get(logical_id, {}).get("Type", "")
            service = {"AWS::SQS::Queue": "sqs", "AWS::SNS::Topic": "sns", "AWS::DynamoDB::Table": "dynamodb",
                       "AWS::KMS::Key": "kms", "AWS::Logs::LogGroup": "logs"}.get(rtype, "lambda")
            return f"arn:aws:{service}:{self.region}:{ACCOUNT_ID}:{logical_id}"
        return logical_id

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        out = []
        i = 0
        while i < len(text):
            start = text.find("${", i)
            if start < 0:
                out.append(text[i:])
                break
            end = text.index("}", start)
            out.append(text[i:start])
            name = text[start + 2:end]
            if name in variables:
                out.append(str(self.resolve(variables[name])))
            elif "." in name:
                lid, attr = name.split(".", 1)
                out.append(self._get_att(lid, attr))
            else:
                out.append(self._ref(name))
            i = end + 1
        return "".join(out)

    # ---- creating ------------------------------------------------------------------------------------
    def create_all(self, session: boto3.Session | None = None, endpoint_url: str | None = None) -> LocalNames:
        """Create every key, table, queue and topic in the template; return what their names resolve to."""
        session = session or boto3.Session(region_name=self.region)
        self.names.endpoint_url = endpoint_url
        for lid in self.logical_ids("AWS::KMS::Key"):
            self.create_key(session, lid, endpoint_url)
        for lid in self.logical_ids("AWS::DynamoDB::Table"):
            self.create_table(session, lid, endpoint_url)
        # Dead-letter queues first: a queue's redrive policy names its DLQ's ARN.
        queues = self.logical_ids("AWS::SQS::Queue")
        for lid in sorted(queues, key=lambda q: "RedrivePolicy" in self.properties(q)):
            self.create_queue(session, lid, endpoint_url)
        for lid in self.logical_ids("AWS::SNS::Topic"):
            self.create_topic(session, lid, endpoint_url)
        for lid in self.logical_ids("AWS::SecretsManager::Secret"):
            self.create_secret(session, lid, endpoint_url)
        for lid in self.function_buckets():
            self.create_bucket(session, lid, endpoint_url)
        for lid in self.logical_ids("AWS::Events::EventBus"):
            self.create_event_bus(session, lid, endpoint_url)
        return self.names

    def function_buckets(self) -> list[str]:
        """The S3 buckets a function's environment names (``!Ref``): the ones the functions use locally."""
        buckets = set(self.logical_ids("AWS::S3::Bucket"))
        named: list[str] = []
        for lid in self.logical_ids("AWS::Serverless::Function"):
            for value in self.properties(lid).get("Environment", {}).get("Variables", {}).values():
                ref = value.get("Ref") if isinstance(value, dict) else None
                if ref in buckets and ref not in named:
                    named.append(ref)
        return named

    def create_bucket(self, session: boto3.Session, logical_id: str, endpoint_url: str | None = None) -> str:
        """Create an S3 bucket with its Object Lock, versioning, encryption and public access block as the
        template declares; Ref resolves to its (lower-case) name."""
        props = self.resolve_keeping_types(self.properties(logical_id))
        s3 = session.client("s3", endpoint_url=endpoint_url)
        name = logical_id.lower()
        args: dict[str, Any] = {"Bucket": name}
        if self.region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        if props.get("ObjectLockEnabled") in (True, "true"):
            args["ObjectLockEnabledForBucket"] = True
        s3.create_bucket(**args)
        if "VersioningConfiguration" in props:
            versioning: Any = {"Status": str(props["VersioningConfiguration"]["Status"])}
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=versioning)
        lock = props.get("ObjectLockConfiguration")
        if lock:
            retention: Any = dict(lock["Rule"]["DefaultRetention"])
            for unit in ("Days", "Years"):
                if unit in retention:
                    retention[unit] = int(retention[unit])
            s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": retention}})
        encryption = props.get("BucketEncryption")
        if encryption:
            rules: list[Any] = []
            for rule in encryption["ServerSideEncryptionConfiguration"]:
                default = {"SSEAlgorithm": rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"]}
                if "KMSMasterKeyID" in rule["ServerSideEncryptionByDefault"]:
                    default["KMSMasterKeyID"] = str(rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"])
                rules.append({"ApplyServerSideEncryptionByDefault": default,
                              "BucketKeyEnabled": rule.get("BucketKeyEnabled") in (True, "true")})
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        block = props.get("PublicAccessBlockConfiguration")
        if block:
            settings: Any = {key: value in (True, "true") for key, value in block.items()}
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=settings)
        self.names.refs[logical_id] = name
        self.names.attrs[(logical_id, "Arn")] = f"arn:aws:s3:::{name}"
        return name

    def create_key(self, session: boto3.Session, logical_id: str, endpoint_url: str | None = None) -> str:
        """Create a KMS key; Ref resolves to its id, GetAtt Arn to its ARN."""
        props = self.properties(logical_id)
        kms = session.client("kms", endpoint_url=endpoint_url)
        meta = kms.create_key(Description=str(props.get("Description", logical_id)))["KeyMetadata"]
        if props.get("EnableKeyRotation"):
            kms.enable_key_rotation(KeyId=meta["KeyId"])
        self.names.refs[logical_id] = meta["KeyId"]
        self.names.attrs[(logical_id, "Arn")] = meta["Arn"]
        return meta["KeyId"]

    def table_definition(self, logical_id: str) -> dict[str, Any]:
        """create_table arguments for a table, taken from its template Properties."""
        props = self.resolve(self.properties(logical_id))
        args: dict[str, Any] = {
            "TableName": logical_id,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "SSESpecification",
                    "DeletionProtectionEnabled"):
            if key in props:
                args[key] = props[key]
        if "StreamSpecification" in props:
            args["StreamSpecification"] = {"StreamEnabled": True,
                                           "StreamViewType": props["StreamSpecification"]["StreamViewType"]}
        if "SSESpecification" in args:
            sse = dict(args["SSESpecification"])
            sse["Enabled"] = sse.pop("SSEEnabled") in (True, "true", "True")
            args["SSESpecification"] = sse
        if "DeletionProtectionEnabled" in args:
            # Locally a table must be removable; deletion protection is a production safeguard.
            args.pop("DeletionProtectionEnabled")
        return args

    def create_table(self, session: boto3.Session, logical_id: str, endpoint_url: str | None = None) -> str:
        """Create a DynamoDB table with its indexes, TTL and PITR as the template declares."""
        props = self.properties(logical_id)
        ddb = session.client("dynamodb", endpoint_url=endpoint_url)
        description = ddb.create_table(**self.table_definition(logical_id))["TableDescription"]
        if "LatestStreamArn" in description:
            self.names.attrs[(logical_id, "StreamArn")] = description["LatestStreamArn"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            ddb.update_time_to_live(
                TableName=logical_id,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
        pitr = props.get("PointInTimeRecoverySpecification", {})
        if pitr.get("PointInTimeRecoveryEnabled"):
            ddb.update_continuous_backups(
                TableName=logical_id,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )
        self.names.refs[logical_id] = logical_id
        self.names.attrs[(logical_id, "Arn")] = f"arn:aws:dynamodb:{self.region}:{ACCOUNT_ID}:table/{logical_id}"
        return logical_id

    def queue_attributes(self, logical_id: str) -> dict[str, str]:
        """SQS attributes for a queue, from its template Properties (redrive policy resolved)."""
        props = self.resolve(self.properties(logical_id))
        attrs: dict[str, str] = {}
        simple = ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "MaximumMessageSize",
                  "ReceiveMessageWaitTimeSeconds", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds")
        for key in simple:
            if key in props:
                attrs[key] = str(props[key])
        if "RedrivePolicy" in props:
            attrs["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
        if props.get("FifoQueue"):
            attrs["FifoQueue"] = "true"
        return attrs

    def create_queue(self, session: boto3.Session, logical_id: str, endpoint_url: str | None = None) -> str:
        """Create an SQS queue named by its logical ID; Ref resolves to its URL."""
        sqs = session.client("sqs", endpoint_url=endpoint_url)
        attributes: Any = self.queue_attributes(logical_id)
        url = sqs.create_queue(QueueName=logical_id, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.names.refs[logical_id] = url
        self.names.attrs[(logical_id, "Arn")] = arn
        self.names.attrs[(logical_id, "QueueUrl")] = url
        return url

    def create_topic(self, session: boto3.Session, logical_id: str, endpoint_url: str | None = None) -> str:
        """Create an SNS topic named by its logical ID; Ref resolves to its ARN."""
        props = self.resolve(self.properties(logical_id))
        sns = session.client("sns", endpoint_url=endpoint_url)
        attrs = {k: str(props[k]) for k in ("DisplayName", "KmsMasterKeyId") if k in props}
        arn = sns.create_topic(Name=logical_id, Attributes=attrs)["TopicArn"]
        self.names.refs[logical_id] = arn
        self.names.attrs[(logical_id, "TopicName")] = logical_id
        return arn

    def create_secret(self, session: boto3.Session, logical_id: str, endpoint_url: str | None = None) -> str:
        """Create a Secrets Manager secret named by its logical ID, with a random value generated the way
        its ``GenerateSecretString`` asks (length, no punctuation); Ref resolves to its ARN."""
        props = self.resolve(self.properties(logical_id))
        spec = props.get("GenerateSecretString", {})
        length = int(spec.get("PasswordLength", 32))
        alphabet = string.ascii_letters + string.digits
        if str(spec.get("ExcludePunctuation", "false")).lower() != "true":
            alphabet += string.punctuation
        value = "".join(secrets.choice(alphabet) for _ in range(length))
        client = session.client("secretsmanager", endpoint_url=endpoint_url)
        kwargs: dict[str, Any] = {"Name": logical_id, "SecretString": value}
        if "Description" in props:
            kwargs["Description"] = str(props["Description"])
        if "KmsKeyId" in props:
            kwargs["KmsKeyId"] = str(props["KmsKeyId"])
        arn = client.create_secret(**kwargs)["ARN"]
        self.names.refs[logical_id] = arn
        self.names.attrs[(logical_id, "Id")] = arn
        return arn

    def create_event_bus(self, session: boto3.Session, logical_id: str, endpoint_url: str | None = None) -> str:
        """Create an EventBridge bus named by its logical ID, and its archive when the template declares one
        (``AWS::Events::Archive`` whose SourceArn is the bus); Ref resolves to its name."""
        events = session.client("events", endpoint_url=endpoint_url)
        arn = events.create_event_bus(Name=logical_id)["EventBusArn"]
        self.names.refs[logical_id] = logical_id
        self.names.attrs[(logical_id, "Arn")] = arn
        self.names.attrs[(logical_id, "Name")] = logical_id
        for archive in self.logical_ids("AWS::Events::Archive"):
            props = self.properties(archive)
            if props.get("SourceArn") == {"Fn::GetAtt": [logical_id, "Arn"]}:
                events.create_archive(ArchiveName=archive, EventSourceArn=arn,
                                      RetentionDays=int(props.get("RetentionDays", 0)))
        return arn

    # ---- event sources -------------------------------------------------------------------------------
    def sqs_event_sources(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(function logical ID, queue logical ID, event properties) for each SQS event in the template."""
        found = []
        for lid in self.logical_ids("AWS::Serverless::Function"):
            for event in self.properties(lid).get("Events", {}).values():
                if event.get("Type") == "SQS":
                    queue_ref = event["Properties"]["Queue"]
                    queue_lid = queue_ref["Fn::GetAtt"][0]
                    found.append((lid, queue_lid, event["Properties"]))
        return found

    def stream_event_sources(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(function logical ID, table logical ID, event properties) for each DynamoDB stream event."""
        found = []
        for lid in self.logical_ids("AWS::Serverless::Function"):
            for event in self.properties(lid).get("Events", {}).values():
                if event.get("Type") == "DynamoDB":
                    found.append((lid, str(event["Properties"]["Stream"]["Fn::GetAtt"][0]), event["Properties"]))
        return found

    def api_routes(self, api: str | None = None) -> list[tuple[str, str, str]]:
        """(function logical ID, path, HTTP method) for each Api event in the template (of the API ``api``
        only, when given)."""
        found = []
        for lid in self.logical_ids("AWS::Serverless::Function"):
            for event in self.properties(lid).get("Events", {}).values():
                if event.get("Type") == "Api" and (api is None or _rest_api_of(event) == api):
                    props = event["Properties"]
                    found.append((lid, str(props["Path"]), str(props["Method"]).upper()))
        return found

    def api_scopes(self, api: str) -> dict[tuple[str, str], tuple[str, ...]]:
        """The OAuth scopes (``Auth.AuthorizationScopes``) each method of the API ``api`` asks of an access
        token, by (path, HTTP method); a method without them takes an ID token."""
        found = {}
        for lid in self.logical_ids("AWS::Serverless::Function"):
            for event in self.properties(lid).get("Events", {}).values():
                scopes = (event.get("Properties", {}).get("Auth") or {}).get("AuthorizationScopes")
                if event.get("Type") == "Api" and _rest_api_of(event) == api and scopes:
                    props = event["Properties"]
                    found[(str(props["Path"]), str(props["Method"]).upper())] = tuple(str(s) for s in scopes)
        return found

    def api_authorizers(self, api: str | None = None) -> dict[tuple[str, str], str]:
        """The authorizer each guarded Api event names, by (path, HTTP method) (of the API ``api`` only, when
        given)."""
        found = {}
        for lid in self.logical_ids("AWS::Serverless::Function"):
            for event in self.properties(lid).get("Events", {}).values():
                authorizer = (event.get("Properties", {}).get("Auth") or {}).get("Authorizer")
                if (event.get("Type") == "Api" and authorizer and authorizer != "NONE"
                        and (api is None or _rest_api_of(event) == api)):
                    props = event["Properties"]
                    found[(str(props["Path"]), str(props["Method"]).upper())] = str(authorizer)
        return found

    def gateway_responses(self) -> dict[str, Any]:
        """The GatewayResponses of the template's Serverless API (how API Gateway shapes its own errors)."""
        apis = self.logical_ids("AWS::Serverless::Api")
        return dict(self.properties(apis[0]).get("GatewayResponses", {})) if apis else {}

    # ---- the care team's sign-in (Cognito) ---------------------------------------------------------------
    def create_user_pools(self, session: boto3.Session, endpoint_url: str | None = None) -> dict[str, str]:
        """Create each user pool, its app clients and groups from their Properties; pool ids by logical ID."""
        idp = session.client("cognito-idp", endpoint_url=endpoint_url)
        created = {}
        for lid in self.logical_ids("AWS::Cognito::UserPool"):
            props = self.resolve_keeping_types(self.properties(lid))
            args = {key: props[key] for key in ("Policies", "UsernameAttributes", "UsernameConfiguration",
                                                "AutoVerifiedAttributes", "UserAttributeUpdateSettings",
                                                "AdminCreateUserConfig", "AccountRecoverySetting",
                                                "DeletionProtection") if key in props}
            pool = idp.create_user_pool(PoolName=str(props.get("UserPoolName", lid)), **args)["UserPool"]
            mfa = str(props.get("MfaConfiguration", "OFF"))
            if mfa != "OFF":
                idp.set_user_pool_mfa_config(
                    UserPoolId=pool["Id"], MfaConfiguration=cast(Any, mfa),
                    SoftwareTokenMfaConfiguration={"Enabled": "SOFTWARE_TOKEN_MFA" in props.get("EnabledMfas", [])})
            self.names.refs[lid] = pool["Id"]
            self.names.attrs[(lid, "Arn")] = pool["Arn"]
            self.names.attrs[(lid, "ProviderName")] = f"cognito-idp.{self.region}.amazonaws.com/{pool['Id']}"
            created[lid] = pool["Id"]
        for lid in self.logical_ids("AWS::Cognito::UserPoolResourceServer"):  # before the clients using its scopes
            props = self.resolve_keeping_types(self.properties(lid))
            idp.create_resource_server(UserPoolId=str(props["UserPoolId"]), Identifier=str(props["Identifier"]),
                                       Name=str(props.get("Name", lid)), Scopes=list(props.get("Scopes", [])))
            self.names.refs[lid] = str(props["Identifier"])
        for lid in self.logical_ids("AWS::Cognito::UserPoolClient"):
            props = self.resolve_keeping_types(self.properties(lid))
            args = {key: props[key] for key in ("ExplicitAuthFlows", "GenerateSecret", "PreventUserExistenceErrors",
                                                "AllowedOAuthFlows", "AllowedOAuthScopes",
                                                "AllowedOAuthFlowsUserPoolClient",
                                                "EnableTokenRevocation", "ReadAttributes", "WriteAttributes",
                                                "AuthSessionValidity",
                                                "IdTokenValidity",
                                                "AccessTokenValidity", "RefreshTokenValidity", "TokenValidityUnits")
                    if key in props}
            client = idp.create_user_pool_client(UserPoolId=str(props["UserPoolId"]),
                                                 ClientName=str(props.get("ClientName", lid)), **args)
            self.names.refs[lid] = client["UserPoolClient"]["ClientId"]
        for lid in self.logical_ids("AWS::Cognito::UserPoolGroup"):
            props = self.resolve(self.properties(lid))
            idp.create_group(GroupName=str(props["GroupName"]), UserPoolId=str(props["UserPoolId"]),
                             Description=str(props.get("Description", "")))
            self.names.refs[lid] = str(props["GroupName"])
        return created

    def create_email_configuration_sets(self, session: boto3.Session, endpoint_url: str | None = None) -> list[str]:
        """Create each SES configuration set (named by logical ID) that a function's email names."""
        sesv2 = session.client("sesv2", endpoint_url=endpoint_url)
        created = []
        for lid in self.logical_ids("AWS::SES::ConfigurationSet"):
            suppression = self.properties(lid).get("SuppressionOptions")
            sesv2.create_configuration_set(ConfigurationSetName=lid,
                                           **({"SuppressionOptions": suppression} if suppression else {}))
            self.names.refs[lid] = lid
            created.append(lid)
        return created


def _rest_api_of(event: Mapping[str, Any]) -> str | None:
    """The logical ID of the API an Api event's ``RestApiId`` refers to."""
    ref = (event.get("Properties") or {}).get("RestApiId")
    return str(ref["Ref"]) if isinstance(ref, dict) and "Ref" in ref else None
