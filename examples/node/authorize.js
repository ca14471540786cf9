#!/usr/bin/env node
// Asks iamd whether a principal may perform an action on a resource, and prints the decision as
// JSON. Every call is signed with the AWS SDK's own SigV4 signer (@smithy/signature-v4), as
// docs/signing.md describes: POST to the gRPC method's path, the serialized request message as
// the payload, service `iamd`; the signed headers travel as gRPC metadata.
//
//   node authorize.js PRINCIPAL_ARN ACTION RESOURCE [--context KEY=VALUE]... [--explain]
//
// The endpoint is IAMD_ENDPOINT (default 127.0.0.1:50051); TLS when IAMD_CA_BUNDLE names a CA
// file (plus IAMD_CLIENT_CERT and IAMD_CLIENT_KEY for mutual TLS). README.md says where the
// credentials come from.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const { Sha256 } = require("@aws-crypto/sha256-js");
const grpc = require("@grpc/grpc-js");
const protoLoader = require("@grpc/proto-loader");
const { SignatureV4 } = require("@smithy/signature-v4");

const USAGE = "usage: node authorize.js PRINCIPAL_ARN ACTION RESOURCE [--context KEY=VALUE]... " +
  "[--min-position N] [--explain]";
const SERVICE = "iamd.v1.AuthorizationService";
const DECISIONS = {
  DECISION_ALLOW: "Allow",
  DECISION_EXPLICIT_DENY: "ExplicitDeny",
  DECISION_IMPLICIT_DENY: "ImplicitDeny",
};
// gRPC retries these itself, with backoff: a refusal for load (RESOURCE_EXHAUSTED, reason
// Throttling) or an unavailable service. Safe for Authorize, which changes nothing.
const SERVICE_CONFIG = {
  methodConfig: [{
    name: [{ service: SERVICE }],
    retryPolicy: {
      maxAttempts: 4, initialBackoff: "0.1s", maxBackoff: "2s", backoffMultiplier: 2,
      retryableStatusCodes: ["UNAVAILABLE", "RESOURCE_EXHAUSTED"],
    },
  }],
};

class UsageError extends Error {}

function parseArgs(argv) {
  const positional = [];
  const context = {};
  let explain = false;
  let minPosition = "0";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--explain") {
      explain = true;
    } else if (arg === "--context" || arg === "--min-position") {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      if (arg === "--min-position") {
        if (!/^[0-9]+$/.test(value)) throw new UsageError("--min-position takes a log position");
        minPosition = value;
        continue;
      }
      const at = value.indexOf("=");
      if (at <= 0) throw new UsageError("--context takes KEY=VALUE");
      const key = value.slice(0, at);
      const values = context[key] ? context[key].values : [];
      values.push(value.slice(at + 1));
      // A key given more than once is multivalued (aws:TagKeys, ...).
      context[key] = { values, multivalued: values.length > 1 };
    } else if (arg.startsWith("--")) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length !== 3) throw new UsageError("name a principal ARN, an action and a resource");
  const [principalArn, action, resource] = positional;
  return { principalArn, action, resource, context, minPosition, explain };
}

// The credentials to sign with: IAMD_ACCESS_KEY_ID / IAMD_SECRET_ACCESS_KEY / IAMD_SESSION_TOKEN
// (as iamctl reads them), else the standard AWS_* variables, else a profile (IAMD_PROFILE, else
// `default`) of the shared credentials file (IAMD_SHARED_CREDENTIALS_FILE, else
// ~/.iamd/credentials), an INI file shaped like ~/.aws/credentials.
function resolveCredentials(env) {
  for (const prefix of ["IAMD", "AWS"]) {
    const accessKeyId = env[`${prefix}_ACCESS_KEY_ID`];
    const secretAccessKey = env[`${prefix}_SECRET_ACCESS_KEY`];
    if (accessKeyId || secretAccessKey) {
      if (!accessKeyId || !secretAccessKey) {
        throw new UsageError(`set both ${prefix}_ACCESS_KEY_ID and ${prefix}_SECRET_ACCESS_KEY`);
      }
      return { accessKeyId, secretAccessKey, sessionToken: env[`${prefix}_SESSION_TOKEN`] || undefined };
    }
  }
  const file = env.IAMD_SHARED_CREDENTIALS_FILE || path.join(os.homedir(), ".iamd", "credentials");
  const profile = env.IAMD_PROFILE || "default";
  if (!fs.existsSync(file)) {
    throw new UsageError(`no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or create ${file}`);
  }
  const section = readIni(fs.readFileSync(file, "utf8"))[profile];
  if (!section || !section.aws_access_key_id || !section.aws_secret_access_key) {
    throw new UsageError(`profile \`${profile}\` in ${file} lacks aws_access_key_id or aws_secret_access_key`);
  }
  return {
    accessKeyId: section.aws_access_key_id,
    secretAccessKey: section.aws_secret_access_key,
    sessionToken: section.aws_session_token || undefined,
  };
}

function readIni(text) {
  const sections = {};
  let current = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = sections[header[1].trim()] = {};
    } else if (current) {
      const at = line.search(/[=:]/);
      if (at > 0) current[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  return sections;
}

function channelCredentials(env) {
  if (!env.IAMD_CA_BUNDLE) return grpc.credentials.createInsecure();
  const read = (name) => (env[name] ? fs.readFileSync(env[name]) : null);
  return grpc.credentials.createSsl(read("IAMD_CA_BUNDLE"), read("IAMD_CLIENT_KEY"), read("IAMD_CLIENT_CERT"));
}

// The AuthorizationService's method definitions (path, serializers) from the repository's protos.
function loadService(protoRoot) {
  const definition = protoLoader.loadSync("iamd/v1/authorization.proto", {
    includeDirs: [protoRoot],  // the protos import each other as "iamd/v1/x.proto"
    longs: String,  // uint64 positions as decimal strings
    enums: String,
    defaults: true,
  });
  return definition[SERVICE];
}

// SigV4 over exactly the bytes that will be sent; every signed header, lower-cased, as metadata.
async function signedMetadata({ method, body, host, region, credentials }) {
  const signer = new SignatureV4({ service: "iamd", region, sha256: Sha256, credentials, applyChecksum: false });
  const signed = await signer.sign({
    method: "POST", protocol: "http:", hostname: host, path: method, headers: { host }, body,
  });
  const metadata = new grpc.Metadata();
  for (const [name, value] of Object.entries(signed.headers)) metadata.set(name.toLowerCase(), value);
  return metadata;
}

// A unary call whose request is already serialized: the bytes signed are the bytes sent.
function call(client, method, body, metadata, timeoutSeconds) {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(method.path, (bytes) => bytes, method.responseDeserialize, body, metadata,
      { deadline: Date.now() + timeoutSeconds * 1000 },
      (error, response) => (error ? reject(error) : resolve(response)));
  });
}

async function main(argv, env) {
  const args = parseArgs(argv);
  const credentials = resolveCredentials(env);
  const endpoint = env.IAMD_ENDPOINT || "127.0.0.1:50051";
  const region = env.IAMD_REGION || env.AWS_REGION || "us-east-1";
  const protoRoot = env.IAMD_PROTO_ROOT || path.resolve(__dirname, "..", "..", "protos");
  const authorize = loadService(protoRoot).Authorize;

  const body = authorize.requestSerialize({
    principalArn: args.principalArn, action: args.action, resource: args.resource,
    context: args.context, minPosition: args.minPosition, explain: args.explain,
  });
  const metadata = await signedMetadata({ method: authorize.path, body, host: endpoint, region, credentials });
  const client = new grpc.Client(endpoint, channelCredentials(env), {
    "grpc.service_config": JSON.stringify(SERVICE_CONFIG),
  });
  try {
    const response = await call(client, authorize, body, metadata, Number(env.IAMD_TIMEOUT_SECONDS || 10));
    const answer = { decision: DECISIONS[response.decision] || response.decision,
                     evaluatedAtPosition: response.evaluatedAtPosition };
    if (args.explain) {
      Object.assign(answer, {
        determiningStatements: response.determiningStatements, blockedBy: response.blockedBy,
        missingContextKeys: response.missingContextKeys, resultsByPolicyType: response.resultsByPolicyType,
      });
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  } finally {
    client.close();
  }
}

main(process.argv.slice(2), process.env).catch((error) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  // A gRPC error: its status code name and message (iamd's message names the IAM error).
  const code = Object.keys(grpc.status).find((name) => grpc.status[name] === error.code);
  process.stderr.write(JSON.stringify({ error: { code: code || String(error.code), message: error.details || error.message } }) + "\n");
  process.exitCode = 1;
});
