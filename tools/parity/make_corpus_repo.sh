#!/bin/bash
# A two-commit repository: base = smithy-rs release-2024-12-30's service models (aws/sdk/aws-models),
# head = the same paths with the AWS corpus (aws-models-2025-01-31) versions of the same services.
set -euo pipefail
cd /work/data/parity
rm -rf corpus.git corpus-work corpus-x; mkdir corpus-x
tar -xJf /work/shared/corpus/aws-models-2025-01-31.tar.xz -C corpus-x
git init -q corpus-work; cd corpus-work
export GIT_AUTHOR_NAME=p GIT_AUTHOR_EMAIL=p@x GIT_COMMITTER_NAME=p GIT_COMMITTER_EMAIL=p@x GIT_AUTHOR_DATE=2025-01-01T00:00:00Z GIT_COMMITTER_DATE=2025-01-01T00:00:00Z
mkdir -p aws/sdk/aws-models
declare -A MAP=([bedrock-runtime]=bedrock-runtime [codecatalyst]=codecatalyst [config]=config-service [dynamodb]=dynamodb [ecs]=ecs [glacier]=glacier [iam]=iam [kms]=kms [lambda]=lambda [polly]=polly [qldb-session]=qldb-session [route53]=route-53 [s3]=s3 [s3control]=s3-control [sso-oidc]=sso-oidc [sso]=sso [sts]=sts [timestream-query]=timestream-query [timestream-write]=timestream-write [transcribe-streaming]=transcribe-streaming)
for k in "${!MAP[@]}"; do git --git-dir=/work/data/smithy-rs-2024.git show release-2024-12-30:aws/sdk/aws-models/$k.json > aws/sdk/aws-models/$k.json; done
git add -A; git commit -qm base; git tag base
for k in "${!MAP[@]}"; do cp ../corpus-x/${MAP[$k]}/service/*/*.json aws/sdk/aws-models/$k.json; done
git add -A; git commit -qm head; git tag head
cd ..; git clone -q --bare corpus-work corpus.git; rm -rf corpus-work corpus-x
