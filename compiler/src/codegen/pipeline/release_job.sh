# pf's blue/green release job (docs/blue-green.md). PF_STEP=plan reads which colour is live
# from the environment stack; PF_STEP=wait waits (30 minutes at most) for the new colour to be
# healthy, then watches the rollback alarms for PF_SECONDS; an alarm, or a new colour that does
# not get healthy, shifts all traffic back (a stack update) and fails the run.
set -euo pipefail
stack="$PF_STACK"
param() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Parameters[?ParameterKey=='$1'].ParameterValue" --output text 2>/dev/null || true
}
resource() {
  aws cloudformation describe-stack-resource --stack-name "$stack" --logical-resource-id "$1" \
    --query StackResourceDetail.PhysicalResourceId --output text
}
rollback() {
  echo "$1: all traffic back to the live colour, the new one to zero" >&2
  args=()
  for key in $(aws cloudformation describe-stacks --stack-name "$stack" --query 'Stacks[0].Parameters[].ParameterKey' --output text); do
    case "$key" in
      NewWeight) args+=("ParameterKey=NewWeight,ParameterValue=0") ;;
      OldWeight) args+=("ParameterKey=OldWeight,ParameterValue=100") ;;
      NewActive) args+=("ParameterKey=NewActive,ParameterValue=false") ;;
      *) args+=("ParameterKey=$key,UsePreviousValue=true") ;;
    esac
  done
  aws cloudformation update-stack --stack-name "$stack" --use-previous-template --role-arn "$PF_ROLE" \
    --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND --parameters "${args[@]}"
  aws cloudformation wait stack-update-complete --stack-name "$stack"
  exit 1
}
case "$PF_STEP" in
  plan)
    live="$(param LiveColour)"
    image="$(param LiveImageId)"
    case "$live" in blue|green) ;; *) live=blue ;; esac
    case "$image" in ami-*) ;; *) image="$PF_IMAGE" ;; esac
    if [ "$live" = blue ]; then new=green; else new=blue; fi
    export LIVE_COLOUR="$live" NEW_COLOUR="$new" LIVE_IMAGE="$image"
    echo "live: $LIVE_COLOUR on $LIVE_IMAGE; new: $NEW_COLOUR on $PF_IMAGE"
    ;;
  wait)
    suffix=""
    if [ "$PF_NEW_COLOUR" = green ]; then suffix=Green; fi
    group="$(resource "AutoScalingGroup$suffix")"
    targets="$(resource "TargetGroup$suffix")"
    desired="$(aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$group" \
      --query 'AutoScalingGroups[0].DesiredCapacity' --output text)"
    healthy_by=$(( $(date +%s) + 1800 ))
    until [ "$(aws elbv2 describe-target-health --target-group-arn "$targets" \
      --query "length(TargetHealthDescriptions[?TargetHealth.State=='healthy'])" --output text)" -ge "$desired" ]; do
      if [ "$(date +%s)" -ge "$healthy_by" ]; then rollback "(the new colour is not healthy after 30 minutes)"; fi
      sleep 15
    done
    end=$(( $(date +%s) + PF_SECONDS ))
    while :; do
      if [ -n "${PF_ALARMS:-}" ]; then
        # shellcheck disable=SC2086
        firing="$(aws cloudwatch describe-alarms --alarm-names $PF_ALARMS --state-value ALARM \
          --query 'MetricAlarms[].AlarmName' --output text)"
        if [ -n "$firing" ]; then rollback "alarm $firing"; fi
      fi
      if [ "$(date +%s)" -ge "$end" ]; then break; fi
      sleep 30
    done
    ;;
  *) echo "unknown PF_STEP $PF_STEP" >&2; exit 2 ;;
esac
