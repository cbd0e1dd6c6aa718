#!/usr/bin/env bash
# Deploys the marketplace, migrations first:
#   1. builds both templates (nothing is deployed if anything fails to build);
#   2. deploys template-migrate.yaml as stack <stack>-migrate: only the migrate function changes;
#   3. invokes it synchronously and stops unless it succeeded (a FunctionError or a timeout stops here,
#      while every route still runs the previous code against a schema it knows);
#   4. deploys template.yaml as stack <stack>: the route functions switch to the new code, which finds the
#      schema already migrated.
# Migrations are expand-then-contract (migrations/README.md), so the old code keeps working on the new schema
# between steps 3 and 4.
#
# Usage: deploy/deploy.sh <stack-name> <parameters-file>
#   <parameters-file>: one Key=Value per line (# comments allowed), the parameters of both templates; each
#   stack takes the keys it declares (see deploy/parameters.example); `Key=` passes an empty value. Values
#   hold no spaces. scripts/check-parameters.py checks a file with SAM CLI's own parser. Set
#   AWS_REGION/AWS_PROFILE as usual.
#   SEED_LLM_CATALOG=1 also upserts the bundled LLM catalog.
#
# AWS documentation followed:
#   sam build / sam deploy: https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-cli-command-reference-sam-deploy.html
#   aws lambda invoke (synchronous; FunctionError in the response marks a failed invocation):
#     https://docs.aws.amazon.com/cli/latest/reference/lambda/invoke.html
#   --cli-read-timeout / --cli-connect-timeout: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-options.html
#   AWS_MAX_ATTEMPTS (no retry of a migration that may still be running):
#     https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-retries.html
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 2 ]; then
    echo "usage: $0 <stack-name> <parameters-file>" >&2
    exit 2
fi
stack=$1
params_file=$2
overrides=()
while IFS= read -r line || [ -n "$line" ]; do
    line="${line#"${line%%[![:space:]]*}"}"
    case "$line" in '' | '#'*) continue ;; esac
    # SAM CLI's parser refuses `Key=` (an empty value); `Key=""` is the empty string it means.
    [ -n "${line#*=}" ] || line+='""'
    overrides+=("$line")
done <"$params_file"
if [ ${#overrides[@]} -eq 0 ]; then
    echo "$params_file holds no Key=Value line" >&2
    exit 2
fi

# Reserved concurrency must fit the account: every route function's RouteConcurrency, the migrate function's
# 1, and the 100 that Lambda always keeps unreserved, within the account's quota
# (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
parameter() { # <name> <default>: the value the parameters file gives, or the template's default
    local value=$2 override
    for override in "${overrides[@]}"; do
        case "$override" in "$1="*) value=${override#*=} ;; esac
    done
    echo "$value"
}
route_concurrency=$(parameter RouteConcurrency 10)
quota=$(parameter AccountConcurrencyQuota 1000)
routes=$(grep -c 'BuildMethod: rust-cargolambda' template.yaml)
reserved=$((routes * route_concurrency + 1))
if [ $((reserved + 100)) -gt "$quota" ]; then
    echo "RouteConcurrency=$route_concurrency reserves $reserved of AccountConcurrencyQuota=$quota for $routes" \
        "route functions and migrate; with the 100 Lambda keeps unreserved that is over the quota." >&2
    echo "Lower RouteConcurrency to at most $(((quota - 101) / routes)), or raise the quota." >&2
    exit 2
fi

# The migrate function's timeout (template-migrate.yaml) and the CLI's read timeout above it, so the CLI
# never gives up on (and never retries) a migration still running.
migrate_timeout=300
read_timeout=$((migrate_timeout + 30))

echo "== build"
sam build --template-file template.yaml --build-dir .aws-sam/build
sam build --template-file template-migrate.yaml --build-dir .aws-sam/build-migrate

deploy() { # <built template> <stack>
    sam deploy --template-file "$1" --stack-name "$2" \
        --capabilities CAPABILITY_IAM --resolve-s3 --no-fail-on-empty-changeset \
        --parameter-overrides "${overrides[@]}"
}

echo "== deploy the migrate function ($stack-migrate)"
deploy .aws-sam/build-migrate/template.yaml "$stack-migrate"
function=$(aws cloudformation describe-stacks --stack-name "$stack-migrate" \
    --query "Stacks[0].Outputs[?OutputKey=='MigrateFunctionName'].OutputValue" --output text)
aws lambda wait function-updated-v2 --function-name "$function"

echo "== migrate ($function)"
payload='{}'
if [ "${SEED_LLM_CATALOG:-0}" = 1 ]; then
    payload='{"seed_llm_catalog": true}'
fi
result=$(mktemp)
metadata=$(mktemp)
trap 'rm -f "$result" "$metadata"' EXIT
AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard aws lambda invoke \
    --function-name "$function" \
    --cli-binary-format raw-in-base64-out --payload "$payload" \
    --cli-read-timeout "$read_timeout" --cli-connect-timeout 10 \
    --output json "$result" >"$metadata"
cat "$result"
echo
if grep -q '"FunctionError"' "$metadata"; then
    echo "migrate failed (the routes were not changed):" >&2
    cat "$metadata" >&2
    exit 1
fi

echo "== deploy the routes ($stack)"
deploy .aws-sam/build/template.yaml "$stack"
aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='ApiUrl'].OutputValue" --output text
