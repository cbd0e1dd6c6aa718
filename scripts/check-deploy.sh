#!/usr/bin/env bash
# Checks deploy/deploy.sh's order without AWS: stand-ins for `sam` and `aws` log each call; the migrate
# stack is deployed and invoked before the routes' stack, and a FunctionError stops it before the routes.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
cat >"$work/bin/sam" <<'STUB'
#!/usr/bin/env bash
echo "sam $*" >>"$CALLS"
STUB
cat >"$work/bin/aws" <<'STUB'
#!/usr/bin/env bash
echo "aws $* AWS_MAX_ATTEMPTS=${AWS_MAX_ATTEMPTS:-}" >>"$CALLS"
case "$*" in
*"describe-stacks"*) echo "shop-migrate" ;;
*"lambda invoke"*)
    for last; do :; done
    echo '{"applied": []}' >"$last"
    if [ "${FAIL_MIGRATE:-0}" = 1 ]; then
        echo '{"StatusCode": 200, "FunctionError": "Unhandled", "ExecutedVersion": "$LATEST"}'
    else
        echo '{"StatusCode": 200, "ExecutedVersion": "$LATEST"}'
    fi ;;
esac
STUB
chmod +x "$work/bin/sam" "$work/bin/aws"
printf 'DbName=marketplace\n# a comment\n\nSubnetIds=subnet-1,subnet-2\nAlarmTopicArn=\n' >"$work/params"

export CALLS="$work/calls" PATH="$work/bin:$PATH"
deploy/deploy.sh shop "$work/params" >/dev/null
order=$(grep -n -e "deploy --template-file .aws-sam/build-migrate" -e "lambda invoke" \
    -e "deploy --template-file .aws-sam/build/template.yaml" "$CALLS" | cut -d: -f1 | tr '\n' ' ')
read -r migrate_deploy invoke routes_deploy rest <<<"$order"
[ -n "$routes_deploy" ] && [ -z "${rest:-}" ] || { echo "missing steps: $(cat "$CALLS")"; exit 1; }
[ "$migrate_deploy" -lt "$invoke" ] && [ "$invoke" -lt "$routes_deploy" ] ||
    { echo "wrong order: $(cat "$CALLS")"; exit 1; }
grep -q -- "lambda invoke .*--cli-read-timeout 330 --cli-connect-timeout 10 .*AWS_MAX_ATTEMPTS=1" "$CALLS" ||
    { echo "invoke without the timeouts or with retries: $(cat "$CALLS")"; exit 1; }
grep -q -- '--parameter-overrides DbName=marketplace SubnetIds=subnet-1,subnet-2 AlarmTopicArn=""' "$CALLS" ||
    { echo "parameters not passed: $(cat "$CALLS")"; exit 1; }

: >"$CALLS"
if FAIL_MIGRATE=1 deploy/deploy.sh shop "$work/params" >/dev/null 2>&1; then
    echo "a FunctionError must fail the deploy"; exit 1
fi
if grep -q "build/template.yaml --stack-name shop " "$CALLS"; then
    echo "the routes were deployed after a failed migration"; exit 1
fi
# A reserved concurrency the account cannot hold is refused before anything is built.
: >"$CALLS"
printf 'RouteConcurrency=40\nAccountConcurrencyQuota=1000\n' >"$work/too-many"
if deploy/deploy.sh shop "$work/too-many" >/dev/null 2>&1; then
    echo "41 route functions at 40 each do not fit a quota of 1000: the deploy must refuse"; exit 1
fi
[ ! -s "$CALLS" ] || { echo "nothing may run after the concurrency check failed: $(cat "$CALLS")"; exit 1; }
echo "deploy/deploy.sh: migrate first, stops on FunctionError, refuses over-reserved concurrency: ok"
